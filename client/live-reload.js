// Newsroom's dev-mode client: served by `newsroom dev` only, never part of a build.
// Reloads the page when its output changed, swaps stylesheets when only CSS changed, and shows build errors.
(() => {
  const OVERLAY_ID = 'newsroom-dev-overlay';
  let session;

  // The server marks the 404 page it serves for a missing URL, so that page follows changes to 404.html.
  const servedAs = document.currentScript?.dataset.page;

  /** A URL path as the server names files: decoded, `%20` -> space. */
  function decoded(pathname) {
    try {
      return decodeURIComponent(pathname);
    } catch {
      return pathname;
    }
  }

  /** The URL of this page as the server names pages: `/news/x/` for `/news/x`, `/news/x/index.html` ... */
  function pageUrl() {
    let url = decoded(location.pathname);
    if (url.endsWith('/index.html')) url = url.slice(0, -'index.html'.length);
    const last = url.split('/').pop();
    if (!url.endsWith('/') && !last.includes('.')) url += '/';
    return url;
  }

  function hideOverlay() {
    document.getElementById(OVERLAY_ID)?.remove();
  }

  function showOverlay(lines) {
    hideOverlay();
    const box = document.createElement('div');
    box.id = OVERLAY_ID;
    box.setAttribute('role', 'alert');
    Object.assign(box.style, {
      position: 'fixed',
      inset: '0',
      zIndex: '2147483647',
      overflow: 'auto',
      padding: '2rem',
      background: 'rgba(20, 20, 30, 0.94)',
      color: '#fff',
      font: '16px/1.5 system-ui, sans-serif',
    });
    const heading = document.createElement('h2');
    heading.textContent = 'Build failed: this is the last good version of the site';
    Object.assign(heading.style, { margin: '0 0 1rem', font: 'bold 1.4rem system-ui, sans-serif', color: '#ffb3b3' });
    const list = document.createElement('pre');
    list.textContent = lines.join('\n');
    Object.assign(list.style, {
      whiteSpace: 'pre-wrap',
      font: '15px/1.6 ui-monospace, monospace',
      background: '#000',
      padding: '1rem',
      borderLeft: '4px solid #ff6b6b',
    });
    const hint = document.createElement('p');
    hint.textContent = 'Fix the file and save it: the page updates by itself.';
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Hide';
    close.addEventListener('click', hideOverlay);
    box.append(heading, list, hint, close);
    document.body.append(box);
  }

  function swapStylesheets(paths, build) {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      if (url.origin !== location.origin || !paths.includes(decoded(url.pathname))) continue;
      url.searchParams.set('newsroom-build', String(build));
      const next = link.cloneNode();
      next.href = url.href;
      next.addEventListener('load', () => link.remove());
      link.after(next);
    }
  }

  const events = new EventSource('/__newsroom/events');
  events.addEventListener('message', (message) => {
    const event = JSON.parse(message.data);
    if (event.type === 'hello') {
      // A restarted server may have rebuilt anything while this page was away.
      if (session !== undefined && session !== event.session) location.reload();
      session = event.session;
    } else if (event.type === 'state') {
      if (event.errors.length > 0) showOverlay(event.errors);
      else hideOverlay();
    } else if (event.type === 'change') {
      if (event.reload || event.urls.includes(pageUrl()) || (servedAs && event.urls.includes(servedAs))) {
        location.reload();
      } else if (event.css.length > 0) swapStylesheets(event.css, event.build);
    }
  });
})();
