import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { cli, REPO, tempDir } from '../helpers/site.js';
import { type StaticServer, serveStatic } from '../helpers/static-server.js';

// The sample site built for https://newsroom.example.org/newsroom/ and served under /newsroom/ only: a link, asset,
// script or search result that forgets the prefix asks for a path this server does not have.
const BASE = '/newsroom';
const BEIJING = `${BASE}/news/iom-works-china-strengthen-border-management-protect-trafficking-victims/`;
/** Two releases that speak of a cyclone, in 2008 and 2019: two shards of the search index. */
const CYCLONES = [
  `${BASE}/news/iom-delivers-emergency-shelter-to-cyclone-nargis-survivors-in-myanmar/`,
  `${BASE}/news/iom-provides-shelter-to-families-displaced-by-cyclone-idai-in-mozambique/`,
];
const NOW = '2026-11-27T00:00:00Z';

let site: StaticServer;
let browser: Browser;

beforeAll(async () => {
  const out = await tempDir();
  const launched = launchChromium();
  const built = await cli(
    'build',
    '--root',
    REPO,
    '--out',
    out,
    '--now',
    NOW,
    '--base-url',
    'https://newsroom.example.org/newsroom/',
  );
  browser = await launched;
  expect(built.code, built.stderr).toBe(0);
  site = await serveStatic(out, { basePath: BASE });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

/** Opens a page and records every request of the site that did not answer 200. */
async function open(path: string): Promise<{ page: Page; failed: string[] }> {
  const page = await browser.newPage();
  const failed: string[] = [];
  page.on('response', (response) => {
    if (response.url().startsWith(site.url) && response.status() !== 200) {
      failed.push(`${response.status()} ${response.url()}`);
    }
  });
  page.on('requestfailed', (request) => failed.push(`failed ${request.url()}`));
  const response = await page.goto(`${site.url}${path}`, { waitUntil: 'networkidle' });
  expect(response?.status(), path).toBe(200);
  return { page, failed };
}

describe('a site served under a base path', () => {
  it('loads its stylesheet, script and images from the prefixed, fingerprinted URLs', async () => {
    const { page, failed } = await open(
      `${BASE}/news/iom-supports-pacific-communities-planning-climate-relocation-in-fiji/`,
    );
    const stylesheet = await page.locator('link[rel="stylesheet"]').getAttribute('href');
    expect(stylesheet).toMatch(/^\/newsroom\/css\/site\.[0-9a-f]{8}\.css$/);
    // The stylesheet applied: the skip link is moved off screen until focused.
    const skip = await page.locator('.skip-link').boundingBox();
    expect(skip === null || skip.y < 0 || skip.x < 0).toBe(true);
    const image = page.locator('.release__image img');
    // Loaded and decoded (the DOM types are not in this project's lib: read the two properties as data).
    const loaded = await image.evaluate((img) => {
      const { complete, naturalWidth } = img as unknown as { complete: boolean; naturalWidth: number };
      return complete && naturalWidth > 0;
    });
    expect(loaded).toBe(true);
    expect(failed).toEqual([]);
    await page.close();
  });

  it('follows every link of the home page and the navigation to a page that exists', async () => {
    const { page, failed } = await open(`${BASE}/`);
    const hrefs = await page.locator('a[href^="/"]').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(hrefs.length).toBeGreaterThan(20);
    expect(hrefs.filter((href) => !href?.startsWith(`${BASE}/`))).toEqual([]);
    await page.close();
    for (const href of new Set(hrefs)) {
      const reply = await fetch(`${site.url}${href}`);
      expect(reply.status, href ?? '').toBe(200);
    }
    expect(failed).toEqual([]);
  });

  it('searches with the index under the base path, and links results there', async () => {
    const { page, failed } = await open(`${BASE}/search/`);
    await page.fill('#search-query', 'Beijing');
    await page.click('form.search button[type="submit"]');
    await page.locator('.search__results a').first().waitFor();
    const hrefs = await page
      .locator('.search__results a')
      .evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(hrefs).toContain(BEIJING);
    expect(failed).toEqual([]);
    await page.close();
  });

  it('merges every year of the index under the base path: results of two years, with the prefix', async () => {
    const { page, failed } = await open(`${BASE}/search/`);
    await page.fill('#search-query', 'cyclone');
    await page.click('form.search button[type="submit"]');
    await page.locator('.search__results a').first().waitFor();
    const hrefs = await page
      .locator('.search__results a')
      .evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(expect.arrayContaining(CYCLONES));
    expect(hrefs.filter((href) => !href?.startsWith(`${BASE}/news/`))).toEqual([]);
    expect(failed).toEqual([]);
    await page.close();
  });
});
