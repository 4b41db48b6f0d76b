// Chromium as both the browser tests and the soak test launch it. Plain JavaScript, because the soak is a .mjs run by
// node and cannot import a .ts file; tests/helpers/chromium.ts imports it too (types beside it in chromium-args.d.mts).

/** Debian's Chromium, which the browser tests drive (`apt-get install -y chromium`). */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, and nothing that reaches the network on its own. */
export const CHROMIUM_ARGS = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
]);
