import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DevSession } from '../../src/dev/dev-session.js';
import { launchChromium } from '../helpers/chromium.js';
import { makeSite, release } from '../helpers/site.js';

// End to end: a real `newsroom dev` session (real chokidar on real files) and headless Chromium running the
// live-reload client. Every assertion is made through the page; after its first load, only the client moves it.

/** How long a file edit may take to reach the page: watcher, debounce, build, event, reload. */
const LIVE = { timeout: 10_000 };
const OVERLAY = '#newsroom-dev-overlay';
const CSS = 'body { background-color: rgb(255, 255, 255); }\n';

// The browser globals the functions run in the page use: the project's type-check has no DOM library, and adding
// it would let src/ use browser globals unnoticed.
declare const document: { querySelector(selector: string): { textContent: string | null } | null; body: object };
declare const window: { __marker?: number };
declare const location: { href: string };
declare function getComputedStyle(element: object): { backgroundColor: string; position: string };

let root: string;
let session: DevSession | undefined;
let browser: Browser | undefined;
const pages: Page[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  root = await makeSite({
    'content/news/headline.md': release({ title: 'IOM Opens a Test Office' }),
    'content/news/broken.md': release({ title: 'Last Good Headline' }),
    'content/news/styled.md': release({ title: 'Styled Release' }),
    'content/news/gone.md': release({ title: 'Soon Withdrawn' }),
    'public/css/site.css': CSS,
  });
  session = await DevSession.start({
    root,
    host: '127.0.0.1',
    port: 0,
    includeDrafts: false,
    now: new Date('2026-01-01T00:00:00Z'),
    streams: { out: () => {}, err: () => {} },
  });
}, 30_000);

afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.close()));
});

afterAll(async () => {
  await browser?.close();
  await session?.close();
});

/** Opens `url` in a new page and waits until the page listens for live-reload events, so no edit goes unseen. */
async function open(url: string): Promise<Page> {
  if (!browser || !session) throw new Error('the browser or the dev session did not start');
  const page = await browser.newPage();
  pages.push(page);
  const listening = page.waitForResponse((response) => response.url().endsWith('/__newsroom/events'));
  await page.goto(new URL(url, session.url).href);
  await listening;
  return page;
}

const h1 = (page: Page): Promise<string | null> => page.textContent('h1');

describe('newsroom dev in a browser', () => {
  it('reloads an open release page when its Markdown changes', async () => {
    const page = await open('/news/headline/');
    expect(await h1(page)).toBe('IOM Opens a Test Office');

    await writeFile(path.join(root, 'content/news/headline.md'), release({ title: 'IOM Opens a Second Office' }));

    await page.waitForFunction(
      () => document.querySelector('h1')?.textContent === 'IOM Opens a Second Office',
      undefined,
      LIVE,
    );
  });

  it('shows template errors over the last good page, and hides them once the template is fixed', async () => {
    const nav = path.join(root, 'templates/partials/nav.njk');
    const good = await readFile(nav, 'utf8');
    const page = await open('/news/broken/');
    try {
      await appendFile(nav, '{{');

      const overlay = page.locator(OVERLAY);
      await overlay.waitFor({ state: 'visible', ...LIVE });
      expect(await overlay.getAttribute('role')).toBe('alert');
      expect(await overlay.textContent()).toMatch(/templates\/partials\/nav\.njk:\d+:\d+: /);
      // Styled through the DOM, which the page's Content-Security-Policy allows (a style attribute it refuses).
      expect(await overlay.evaluate((element) => getComputedStyle(element).position)).toBe('fixed');
      expect(await h1(page)).toBe('Last Good Headline');
      const served = await page.evaluate(async () => {
        const response = await fetch(location.href);
        return { status: response.status, html: await response.text() };
      });
      expect(served.status).toBe(200);
      expect(served.html).toContain('<h1>Last Good Headline</h1>');
    } finally {
      await writeFile(nav, good);
    }
    await page.locator(OVERLAY).waitFor({ state: 'detached', ...LIVE });
    expect(await h1(page)).toBe('Last Good Headline');
  });

  it('swaps a changed stylesheet without reloading the page', async () => {
    const page = await open('/news/styled/');
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await background()).toBe('rgb(255, 255, 255)');
    await page.evaluate(() => {
      window.__marker = 1;
    });

    await writeFile(path.join(root, 'public/css/site.css'), CSS.replace('rgb(255, 255, 255)', 'rgb(1, 2, 3)'));

    await page.waitForFunction(
      () => getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)',
      undefined,
      LIVE,
    );
    expect(await page.evaluate(() => window.__marker)).toBe(1);
  });

  it('reloads a page whose release was deleted into the 404 page', async () => {
    const page = await open('/news/gone/');
    expect(await h1(page)).toBe('Soon Withdrawn');

    await rm(path.join(root, 'content/news/gone.md'));

    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Page not found', undefined, LIVE);
    expect(new URL(page.url()).pathname).toBe('/news/gone/');
  });
});
