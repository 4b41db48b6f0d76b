// Newsroom: small enhancements to the navigation's submenus, which work without this script (<details>).
// Escape closes an open submenu and returns focus to its button; opening one closes the others; a click or focus
// outside closes them.
(() => {
  const menus = [...document.querySelectorAll('.site-nav__more')];
  const closeAll = (except) => {
    for (const menu of menus) if (menu !== except) menu.open = false;
  };
  for (const menu of menus) {
    menu.addEventListener('toggle', () => {
      if (menu.open) closeAll(menu);
    });
    menu.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && menu.open) {
        menu.open = false;
        menu.querySelector('summary')?.focus();
      }
    });
  }
  document.addEventListener('click', (event) => {
    if (!(event.target instanceof Node) || !menus.some((m) => m.contains(event.target))) closeAll();
  });
  document.addEventListener('focusin', (event) => {
    if (event.target instanceof Node && !menus.some((m) => m.contains(event.target))) closeAll();
  });
})();
