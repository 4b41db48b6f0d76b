// Types for tests/helpers/chromium.ts, which launches Chromium as the soak test does (soak/browser.mjs).

/** Debian's Chromium, which the browser tests drive (`apt-get install -y chromium`). */
export const CHROMIUM: string;
/** Headless, and nothing that reaches the network on its own. */
export const CHROMIUM_ARGS: readonly string[];
