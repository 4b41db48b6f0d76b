// The browser of the soak test: headless Chromium, launched as the browser tests launch it, with tabs that count the
// reloads live reload makes and record what goes wrong in them.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../tests/helpers/chromium-args.mjs';

/** Launches headless Chromium with the browser tests' path and arguments. */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}

/** Opens `url` in a tab that records its loads, dialogs and script errors. */
export async function openTab(context, url) {
  const page = await context.newPage();
  const tab = { page, loads: 0, dialogs: 0, errors: [], crashed: false };
  page.on('load', () => tab.loads++);
  page.on('dialog', (dialog) => {
    tab.dialogs++;
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => tab.errors.push(error.message));
  page.on('crash', () => {
    tab.crashed = true;
  });
  await page.goto(url, { waitUntil: 'load' });
  tab.loads = 0; // only the reloads live reload makes count from here
  return tab;
}

/** Whether the tab shows `text` in `selector` within `ms` (it may be reloading meanwhile). */
export async function shows(tab, selector, text, ms = 30_000) {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const seen = await tab.page.evaluate((s) => document.querySelector(s)?.textContent ?? '', selector).catch(() => '');
    if (seen.includes(text)) return true;
    await sleep(250);
  }
  return false;
}
