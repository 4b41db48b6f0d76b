import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type CheerioAPI, load } from 'cheerio';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_POLICY } from '../../src/render/content-security-policy.js';
import { axeViolations, formatViolations } from '../helpers/axe.js';
import { launchChromium } from '../helpers/chromium.js';
import { request } from '../helpers/http.js';
import { cli, REPO, tempDir } from '../helpers/site.js';
import { type StaticServer, serveStatic } from '../helpers/static-server.js';

// What readers get from the sample site, built once and served as static files over real HTTP to headless
// Chromium: accessibility (axe-core), layouts at phone and desktop widths, the keyboard, search with no server
// code, print, page weight, and the language of every label and link.

// The browser globals of the functions run in the page: the project's type-check has no DOM library, and adding it
// would let src/ use browser globals unnoticed.
interface DomElement {
  readonly tagName: string;
  readonly id: string;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { right: number };
  closest(selector: string): DomElement | null;
  querySelector(selector: string): DomElement | null;
}
declare const document: {
  readonly documentElement: { readonly scrollWidth: number };
  readonly activeElement: DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
  addEventListener(type: string, listener: (event: unknown) => void): void;
};
declare const window: { readonly innerWidth: number };
declare function __newsroomCspViolation(report: string): void;
declare function getComputedStyle(
  element: unknown,
  pseudo?: string,
): { readonly outlineStyle: string; readonly outlineWidth: string; readonly content: string };

const NOW = '2026-11-27T00:00:00Z';
const LANGS = ['en', 'fr', 'es'] as const;
type Lang = (typeof LANGS)[number];
const PREFIX: Record<Lang, string> = { en: '', fr: '/fr', es: '/es' };
const BEIJING: Record<Lang, string> = {
  en: '/news/iom-works-china-strengthen-border-management-protect-trafficking-victims/',
  fr: '/fr/news/oim-chine-renforcer-gestion-frontieres-proteger-victimes-traite/',
  es: '/es/news/oim-china-fortalecer-gestion-fronteras-proteger-victimas-trata/',
};
/** A release with an image (alt text, caption, credit), in each language. */
const FIJI: Record<Lang, string> = {
  en: '/news/iom-supports-pacific-communities-planning-climate-relocation-in-fiji/',
  fr: '/fr/news/oim-accompagne-communautes-pacifique-relocalisation-climatique-fidji/',
  es: '/es/news/oim-apoya-a-comunidades-del-pacifico-reubicacion-climatica-fiji/',
};
/** A release whose body has links (the Beijing release's has none), for the print test. */
const NEPAL = '/news/iom-and-nepal-step-up-protection-for-trafficking-survivors/';
/** Two releases that speak of a cyclone, eleven years apart: in two shards of the search index. */
const CYCLONES = {
  '2008': '/news/iom-delivers-emergency-shelter-to-cyclone-nargis-survivors-in-myanmar/',
  '2019': '/news/iom-provides-shelter-to-families-displaced-by-cyclone-idai-in-mozambique/',
};
const DRAFT = '/news/eu-and-iom-launch-talent-partnership-pilots/';
const EMBARGOED = '/news/iom-report-maps-global-gaps-in-migration-data/';

/** One page of each kind readers meet, per language. */
interface Target {
  readonly lang: Lang;
  readonly kind: 'home' | 'release' | 'release-image' | 'listing' | 'archive' | 'search' | 'not-found';
  readonly path: string;
}
const pagesIn = (lang: Lang): Target[] => [
  { lang, kind: 'home', path: `${PREFIX[lang]}/` },
  { lang, kind: 'release', path: BEIJING[lang] },
  { lang, kind: 'release-image', path: FIJI[lang] },
  { lang, kind: 'listing', path: `${PREFIX[lang]}/news/` },
  { lang, kind: 'archive', path: `${PREFIX[lang]}/themes/counter-trafficking/` },
  { lang, kind: 'search', path: `${PREFIX[lang]}/search/` },
  { lang, kind: 'not-found', path: `${PREFIX[lang]}/no-such-page/` },
];
const PAGES = LANGS.flatMap(pagesIn);
const WIDTHS = [375, 1280];

let out: string;
let site: StaticServer;
let drafts: StaticServer;
let browser: Browser;
let shots: string;
const contexts: BrowserContext[] = [];
/** Every Content-Security-Policy violation any page of any test reported (the site's own code must cause none). */
const cspViolations: string[] = [];
/** The pages opened with the policy in force, whose violations would be in {@link cspViolations}. */
let cspPages = 0;

beforeAll(async () => {
  out = await tempDir();
  const draftsOut = await tempDir();
  shots = await tempDir();
  const launched = launchChromium();
  // One build at a time: Pagefind's indexing service is shared by the process.
  const built = await cli('build', '--root', REPO, '--out', out, '--now', NOW);
  const builtDrafts = await cli('build', '--root', REPO, '--out', draftsOut, '--now', NOW, '--drafts');
  browser = await launched;
  expect(built.code, built.stderr).toBe(0);
  expect(builtDrafts.code, builtDrafts.stderr).toBe(0);
  [site, drafts] = await Promise.all([serveStatic(out), serveStatic(draftsOut)]);
}, 60_000);

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  await browser?.close();
  await Promise.all([site?.close(), drafts?.close()]);
});

/** A fresh browser context (its pages are closed with it after the file). */
async function newContext(options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  contexts.push(context);
  // Reported through a binding of the DevTools protocol, which the policy does not govern.
  await context.exposeFunction('__newsroomCspViolation', (report: string) => cspViolations.push(report));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const e = event as unknown as { documentURI: string; effectiveDirective: string; blockedURI: string };
      __newsroomCspViolation(`${e.documentURI}: ${e.effectiveDirective} blocked ${e.blockedURI}`);
    });
  });
  context.on('page', () => cspPages++);
  return context;
}

/** Opens `target` in a new page of `context` and waits for it to be ready to use (search: its filters loaded). */
async function open(context: BrowserContext, target: Target, server = site): Promise<Page> {
  const page = await context.newPage();
  const response = await page.goto(server.url + target.path);
  expect(response?.status(), target.path).toBe(target.kind === 'not-found' ? 404 : 200);
  expect(response?.headers()['content-security-policy'], target.path).toBe(HEADER_POLICY);
  expect(await page.getAttribute('html', 'lang'), target.path).toBe(target.lang);
  if (target.kind === 'search') await page.locator('.search__filters').waitFor({ state: 'visible' });
  return page;
}

/** Runs `task` on every item, at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** The summary (button) and links of the submenu under the top navigation item that links to `url`. */
function submenu(page: Page, url: string) {
  const details = page.locator(`li.site-nav__item:has(> a[href="${url}"]) > details.site-nav__more`);
  return { details, summary: details.locator('summary'), links: details.locator('.site-nav__sub a') };
}

describe('accessibility (axe-core, WCAG 2.2 A and AA)', () => {
  it('finds no violations on the home, release, listing, archive, search and 404 pages, 3 languages, 2 widths', async () => {
    const report: string[] = [];
    for (const width of WIDTHS) {
      const context = await newContext({ viewport: { width, height: 800 } });
      await pool(PAGES, 6, async (target) => {
        const page = await open(context, target);
        const violations = await axeViolations(page);
        if (violations.length) report.push(formatViolations(`${target.path} at ${width}px`, violations));
        await page.close();
      });
    }
    expect(report.sort().join('\n'), 'axe violations').toBe('');
  }, 90_000);

  it('finds none with a submenu open (home and release pages, 3 languages, 2 widths)', async () => {
    const report: string[] = [];
    const targets = PAGES.filter((t) => t.kind === 'home' || t.kind === 'release');
    for (const width of WIDTHS) {
      const context = await newContext({ viewport: { width, height: 800 } });
      await pool(targets, 6, async (target) => {
        const page = await open(context, target);
        const menus = page.locator('details.site-nav__more');
        expect(await menus.count(), `${target.path}: submenus`).toBe(2);
        for (let i = 0; i < 2; i++) {
          await menus.nth(i).locator('summary').click();
          expect(await menus.nth(i).locator('.site-nav__sub a').first().isVisible(), 'the submenu opened').toBe(true);
          const violations = await axeViolations(page, 'details.site-nav__more[open] .site-nav__sub');
          if (violations.length) {
            report.push(formatViolations(`${target.path} at ${width}px, submenu ${i + 1} open`, violations));
          }
          await menus.nth(i).locator('summary').click();
        }
        await page.close();
      });
    }
    expect(report.sort().join('\n'), 'axe violations').toBe('');
  }, 90_000);
});

/** The page's horizontal overflow, and the elements reaching furthest past the viewport's right edge. */
const overflow = () => {
  const width = window.innerWidth;
  const widest: { element: string; right: number }[] = [];
  for (const element of document.querySelectorAll('body *')) {
    const right = element.getBoundingClientRect().right;
    if (right > width + 0.5) {
      const classes = (element.getAttribute('class') ?? '').trim().split(/\s+/).filter(Boolean);
      const name = `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${classes.map((c) => `.${c}`).join('')}`;
      widest.push({
        element: `${name} "${(element.textContent ?? '').trim().slice(0, 40)}"`,
        right: Math.round(right),
      });
    }
  }
  widest.sort((a, b) => b.right - a.right);
  return { scrollWidth: document.documentElement.scrollWidth, width, widest: widest.slice(0, 5) };
};

describe('layout at 375 px and 1280 px', () => {
  it('screenshots every page and nothing overflows horizontally, submenus open or closed', async () => {
    const problems: string[] = [];
    const check = async (page: Page, where: string): Promise<void> => {
      const o = await page.evaluate(overflow);
      if (o.scrollWidth > o.width) {
        const widest = o.widest.map((w) => `${w.element} (right edge ${w.right}px)`).join('; ');
        problems.push(`${where}: scrollWidth ${o.scrollWidth}px > ${o.width}px; widest: ${widest}`);
      }
    };
    for (const width of WIDTHS) {
      const context = await newContext({ viewport: { width, height: 800 } });
      await pool(PAGES, 6, async (target) => {
        const page = await open(context, target);
        const file = path.join(shots, `${target.lang}-${target.kind}-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        expect((await stat(file)).size, file).toBeGreaterThan(1000);
        await check(page, `${target.path} at ${width}px`);
        if (target.kind === 'home' || target.kind === 'release') {
          const menus = page.locator('details.site-nav__more');
          for (let i = 0; i < (await menus.count()); i++) {
            await menus.nth(i).locator('summary').click();
            await check(page, `${target.path} at ${width}px, submenu ${i + 1} open`);
            await page.screenshot({ path: file.replace(/\.png$/, `-menu${i + 1}.png`) });
            await menus.nth(i).locator('summary').click();
          }
        }
        await page.close();
      });
    }
    expect(problems.sort().join('\n'), 'horizontal overflow').toBe('');
    expect((await readdir(shots)).filter((f) => f.endsWith('.png'))).toHaveLength(PAGES.length * 2 + 6 * 2 * 2);
  }, 90_000);
});

/** What has focus: enough to name it, and its outline. */
const focusInfo = () => {
  const element = document.activeElement;
  if (!element) return null;
  const style = getComputedStyle(element);
  return {
    tag: element.tagName.toLowerCase(),
    id: element.id,
    className: element.getAttribute('class') ?? '',
    href: element.getAttribute('href'),
    text: (element.textContent ?? '').trim(),
    inNav: element.closest('.site-nav') !== null,
    item: element.closest('.site-nav__item')?.querySelector(':scope > a')?.getAttribute('href') ?? null,
    outline: { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) },
  };
};
type Focus = NonNullable<ReturnType<typeof focusInfo>>;

/** Presses Tab until `reached` holds for the focused element (at most 40 times); returns every element passed. */
async function tabUntil(page: Page, reached: (focus: Focus) => boolean): Promise<Focus[]> {
  const trail: Focus[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(focusInfo);
    if (!focus) break;
    trail.push(focus);
    if (reached(focus)) return trail;
  }
  throw new Error(`Tab never reached it; focus went: ${trail.map((f) => `${f.tag} "${f.text}"`).join(', ')}`);
}

const isOurWorkButton = (f: Focus): boolean => f.tag === 'summary' && f.item === '/our-work/';
const hasVisibleOutline = (f: Focus): boolean => f.outline.style !== 'none' && f.outline.width > 0;

describe('keyboard', () => {
  it('Tab reaches the skip link first, with a visible outline, and it moves focus to main', async () => {
    const page = await (await newContext()).newPage();
    await page.goto(`${site.url}/`);
    const skip = page.locator('.skip-link');
    expect((await skip.boundingBox())?.y ?? 0, 'the skip link is off screen').toBeLessThan(0);
    const [first] = await tabUntil(page, () => true);
    expect(first).toMatchObject({ tag: 'a', className: 'skip-link', href: '#main' });
    expect(hasVisibleOutline(first as Focus), `skip link outline: ${JSON.stringify(first?.outline)}`).toBe(true);
    expect((await skip.boundingBox())?.y ?? -1, 'the focused skip link is on screen').toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(focusInfo)).toMatchObject({ tag: 'main', id: 'main' });
  });

  it('opens "Our Work" with Enter, moves into its links, closes with Escape back to its button, toggles with Space', async () => {
    const page = await (await newContext()).newPage();
    await page.goto(`${site.url}/`);
    const { details, links } = submenu(page, '/our-work/');
    const trail = await tabUntil(page, isOurWorkButton);
    const navLink = trail.find((f) => f.inNav && f.tag === 'a');
    expect(navLink, 'a navigation link comes before the submenu button').toBeDefined();
    expect(hasVisibleOutline(navLink as Focus), `nav link outline: ${JSON.stringify(navLink?.outline)}`).toBe(true);
    const button = trail.at(-1) as Focus;
    expect(hasVisibleOutline(button), `submenu button outline: ${JSON.stringify(button.outline)}`).toBe(true);
    expect(await links.first().isVisible()).toBe(false);

    await page.keyboard.press('Enter');
    expect(await details.getAttribute('open')).not.toBeNull();
    expect(await links.first().isVisible()).toBe(true);
    await page.keyboard.press('Tab');
    expect((await page.evaluate(focusInfo))?.href).toBe(await links.first().getAttribute('href'));

    await page.keyboard.press('Escape');
    expect(await details.getAttribute('open')).toBeNull();
    expect(await links.first().isVisible()).toBe(false);
    expect(isOurWorkButton((await page.evaluate(focusInfo)) as Focus), 'focus is back on the button').toBe(true);

    await page.keyboard.press('Space');
    expect(await details.getAttribute('open')).not.toBeNull();
    expect(await links.first().isVisible()).toBe(true);
    await page.keyboard.press('Space');
    expect(await details.getAttribute('open')).toBeNull();
    expect(await links.first().isVisible()).toBe(false);
  });

  it('opens and closes the submenu with Enter and Space with JavaScript disabled', async () => {
    const page = await (await newContext({ javaScriptEnabled: false })).newPage();
    await page.goto(`${site.url}/`);
    const { details, links } = submenu(page, '/our-work/');
    await tabUntil(page, isOurWorkButton);
    for (const key of ['Enter', 'Space']) {
      await page.keyboard.press(key);
      expect(await details.getAttribute('open'), `${key} opens`).not.toBeNull();
      expect(await links.first().isVisible()).toBe(true);
      await page.keyboard.press(key);
      expect(await details.getAttribute('open'), `${key} closes`).toBeNull();
      expect(await links.first().isVisible()).toBe(false);
    }
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect((await page.evaluate(focusInfo))?.href).toBe(await links.first().getAttribute('href'));
  });
});

/** Searches on the search page at `searchPath` as a reader would (type, filter, submit); returns the result links. */
async function search(
  server: StaticServer,
  searchPath: string,
  query: string,
  theme?: string,
): Promise<{ status: string; hrefs: string[] }> {
  const lang = LANGS.find((l) => l !== 'en' && searchPath.startsWith(`${PREFIX[l]}/`)) ?? 'en';
  const page = await open(await newContext(), { lang, kind: 'search', path: searchPath }, server);
  await page.fill('#search-query', query);
  if (theme) await page.selectOption('#filter-theme', { label: theme });
  await page.click('form.search button[type="submit"]');
  const status = page.locator('.search__status');
  await status.filter({ hasText: /\S/ }).waitFor();
  const hrefs = await Promise.all(
    (await page.locator('.search__results a').all()).map(async (a) => (await a.getAttribute('href')) ?? ''),
  );
  const text = (await status.textContent()) ?? '';
  await page.close();
  return { status: text, hrefs };
}

/**
 * The English published releases (as indexed) whose theme list includes `theme`, read from the built HTML, newest
 * first.
 */
async function releasesWithTheme(theme: string): Promise<string[]> {
  const found: { url: string; date: string }[] = [];
  for (const entry of await readdir(path.join(out, 'news'), { withFileTypes: true })) {
    if (!entry.isDirectory() || /^(\d{4}|archive|page)$/.test(entry.name)) continue;
    const $ = load(await readFile(path.join(out, 'news', entry.name, 'index.html'), 'utf8'));
    const themes = $('[data-pagefind-filter="theme"]')
      .map((_, el) => $(el).text().trim())
      .get();
    const date = $('[data-pagefind-sort="date"]').text();
    if ($('[data-pagefind-body]').length && themes.includes(theme)) found.push({ url: `/news/${entry.name}/`, date });
  }
  return found.sort((a, b) => b.date.localeCompare(a.date)).map((r) => r.url);
}

describe('search (Pagefind, static files only)', () => {
  it('finds the Beijing release by a word of its text', async () => {
    const { hrefs } = await search(site, '/search/', 'Beijing');
    expect(hrefs).toContain(BEIJING.en);
  });

  it('lists exactly the releases of a theme, newest first over all years, when filtering with an empty query', async () => {
    const expected = await releasesWithTheme('Counter-trafficking');
    expect(expected.length, 'the sample site has several counter-trafficking releases').toBeGreaterThan(1);
    expect(expected).toContain(BEIJING.en);
    expect(expected).toContain(NEPAL);
    const { hrefs } = await search(site, '/search/', '', 'Counter-trafficking');
    expect(hrefs).toEqual(expected);
  });

  it('searches every year (one Pagefind bundle each, merged in the browser) and offers every year as a filter', async () => {
    const { hrefs } = await search(site, '/search/', 'cyclone');
    expect(hrefs).toEqual(expect.arrayContaining([CYCLONES['2008'], CYCLONES['2019']]));
    const page = await open(await newContext(), { lang: 'en', kind: 'search', path: '/search/' }, site);
    const years = await page
      .locator('#filter-year option')
      .evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value).filter(Boolean));
    await page.close();
    const published = await readdir(path.join(REPO, 'content/news'));
    expect(years).toEqual(
      published
        .filter((y) => /^\d{4}$/.test(y))
        .sort()
        .reverse(),
    );
  });

  it('searches only the years with releases in the language of the page: French results from several years', async () => {
    // A word of the English releases of 2026 too (the newest year, with no French release): only French results.
    const { hrefs } = await search(site, '/fr/search/', 'migrants');
    expect(hrefs).toEqual(
      expect.arrayContaining([
        '/fr/news/oim-renforce-l-accueil-des-migrants-de-retour-au-guatemala/',
        '/fr/news/oim-et-le-senegal-ouvrent-un-centre-d-information-pour-les-migrants-a-dakar/',
      ]),
    );
    expect(
      hrefs.every((href) => href.startsWith('/fr/')),
      hrefs.join(', '),
    ).toBe(true);
  });

  it('finds the French release on /fr/search/ by "Pékin"', async () => {
    const { hrefs } = await search(site, '/fr/search/', 'Pékin');
    expect(hrefs).toContain(BEIJING.fr);
    expect(
      hrefs.every((href) => href.startsWith('/fr/')),
      hrefs.join(', '),
    ).toBe(true);
  });

  it('never finds drafts or embargoed releases, even in a build with --drafts', async () => {
    expect((await request(site.url, DRAFT)).status).toBe(404);
    expect((await request(drafts.url, DRAFT)).status, 'the preview build has the draft').toBe(200);
    expect((await request(drafts.url, EMBARGOED)).status, 'the preview build has the embargoed release').toBe(200);
    for (const server of [site, drafts]) {
      // Their words and their themes (the draft's is labour migration, the embargoed one's migration data).
      const [talent, gaps, labour, data, beijing] = await Promise.all([
        search(server, '/search/', 'talent partnership'),
        search(server, '/search/', 'migration data gaps'),
        search(server, '/search/', '', 'Labour migration'),
        search(server, '/search/', '', 'Migration data'),
        search(server, '/search/', 'Beijing'),
      ]);
      for (const { status, hrefs } of [talent, gaps, labour, data]) {
        expect(status, 'the search ran').not.toBe('');
        expect(hrefs).not.toContain(DRAFT);
        expect(hrefs).not.toContain(EMBARGOED);
      }
      expect(labour?.hrefs.length, 'the theme filter lists the published releases').toBeGreaterThan(0);
      expect(data?.hrefs.length, 'the theme filter lists the published releases').toBeGreaterThan(0);
      expect(beijing?.hrefs, 'search works in this build').toContain(BEIJING.en);
    }
  }, 60_000);
});

describe('print', () => {
  it('prints a release without navigation, switcher, search, breadcrumbs or footer', async () => {
    const page = await (await newContext()).newPage();
    await page.goto(site.url + BEIJING.en);
    const chrome = ['.site-nav', '.languages', '.search-link', '.breadcrumbs', '.site-footer'];
    for (const selector of chrome) expect(await page.locator(selector).isVisible(), `${selector} on screen`).toBe(true);
    await page.emulateMedia({ media: 'print' });
    for (const selector of chrome) expect(await page.locator(selector).isVisible(), `${selector} printed`).toBe(false);
    expect(await page.locator('h1').isVisible()).toBe(true);
    expect(await page.locator('.release__body').isVisible()).toBe(true);
  });

  it('writes out the target of every link in a release body', async () => {
    const page = await (await newContext()).newPage();
    await page.goto(site.url + NEPAL);
    const links = await page.locator('.release__body a[href]').all();
    expect(links.length, 'the release body has links').toBeGreaterThan(0);
    const printedAfter = (a: (typeof links)[number]) =>
      a.evaluate((element) => getComputedStyle(element, '::after').content);
    for (const link of links) expect(await printedAfter(link)).toMatch(/^(none|normal)$/);
    await page.emulateMedia({ media: 'print' });
    for (const link of links) {
      const href = (await link.getAttribute('href')) ?? '';
      // Paper has no relative links: a link to the site's own page prints its absolute URL.
      const expected = href.startsWith('/') ? `https://newsroom.example.org${href}` : href;
      expect(await printedAfter(link)).toContain(expected);
    }
    expect(await page.locator('.release__header .print-only').textContent()).toBe(
      `https://newsroom.example.org${NEPAL}`,
    );
    expect(await page.locator('.release__header .print-only').isVisible()).toBe(true);
  });
});

describe('page weight', () => {
  it('serves the Beijing release and the stylesheet in under 50 KB', async () => {
    const html = await request(site.url, BEIJING.en);
    const stylesheet = /<link rel="stylesheet" href="([^"]+)"/.exec(html.text)?.[1] ?? '(none)';
    const css = await request(site.url, stylesheet);
    expect([html.status, css.status]).toEqual([200, 200]);
    const total = html.body.length + css.body.length;
    expect(total, `HTML ${html.body.length} B + CSS ${css.body.length} B`).toBeLessThan(50 * 1024);
  });

  it('has no render-blocking script on any page', async () => {
    const blocking: string[] = [];
    for (const target of PAGES) {
      const $ = load((await request(site.url, target.path)).text);
      $('script').each((_, el) => {
        const script = $(el);
        const type = script.attr('type');
        const ok = script.attr('src')
          ? script.attr('defer') !== undefined || script.attr('async') !== undefined || type === 'module'
          : type === 'application/ld+json';
        if (!ok) blocking.push(`${target.path}: ${$.html(el).slice(0, 100)}`);
      });
    }
    expect(blocking.join('\n')).toBe('');
  });
});

/** Text in no language: numbers, dates, punctuation, e-mail addresses. */
const NEUTRAL = /^(?:[^\p{L}]*|[\w.+-]+@[\w.-]+|(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,})$/u;
/** Names written the same in every language: the site's name and its mark. */
const PROPER_NAMES = new Set(['IOM', 'IOM Newsroom']);
/** Elements whose text is a name or a number by definition: places (and the dateline), countries, people, telephone numbers. */
const NAMES = [
  '.card__meta',
  '.release__body > p:first-child > strong:first-child',
  '.release__location',
  '[data-pagefind-filter="country"]',
  '.contact__name',
  'a[href^="tel:"]',
  'a[href^="mailto:"]',
].join(', ');

/** The text a reader meets (own text of elements, names in aria-label and alt) with the language it is marked in. */
function texts($: CheerioAPI): { text: string; lang: string }[] {
  const found: { text: string; lang: string }[] = [];
  $('body, body *')
    .not('script, style, noscript, template')
    .each((_, el) => {
      const element = $(el);
      if (element.closest(NAMES).length) return;
      const lang = element.closest('[lang]').attr('lang') ?? '';
      const own = element
        .contents()
        .filter((_, node) => node.type === 'text')
        .text();
      for (const text of [own, element.attr('aria-label') ?? '', element.attr('alt') ?? '']) {
        const clean = text.replace(/\s+/g, ' ').trim();
        if (clean) found.push({ text: clean, lang });
      }
    });
  return found;
}

describe('language of parts', () => {
  const fetched = new Map<string, Promise<{ status: number; lang: string | undefined }>>();
  /** The status and `<html lang>` of a page of the site (HTML only; feeds have none). */
  const langOf = (url: string) => {
    let known = fetched.get(url);
    if (!known) {
      known = request(site.url, url).then((reply) => ({
        status: reply.status,
        lang: String(reply.headers['content-type']).startsWith('text/html')
          ? load(reply.text)('html').attr('lang')
          : undefined,
      }));
      fetched.set(url, known);
    }
    return known;
  };

  it('marks every link to a page in another language with that hreflang, and no other link', async () => {
    const problems: string[] = [];
    for (const target of PAGES) {
      const $ = load((await request(site.url, target.path)).text);
      for (const el of $('a[href^="/"]').toArray()) {
        const href = $(el).attr('href') ?? '';
        const { status, lang } = await langOf(href.replace(/[#?].*$/, ''));
        if (status !== 200) problems.push(`${target.path}: link to ${href} answers ${status}`);
        if (!lang) continue;
        const hreflang = $(el).attr('hreflang');
        if (hreflang !== undefined ? hreflang !== lang : lang !== target.lang) {
          problems.push(
            `${target.path}: <a href="${href}"> "${$(el).text().trim()}" goes to a page in ${lang}: hreflang ${hreflang ?? 'missing'}`,
          );
        }
      }
    }
    expect(problems.join('\n')).toBe('');
  });

  it('marks text in another language with its lang, and only text that is in that language', async () => {
    const $of = async (target: Target) => load((await request(site.url, target.path)).text);
    const vocabulary = new Map<string, Set<string>>();
    for (const lang of LANGS) {
      const words = new Set<string>();
      for (const target of pagesIn(lang)) {
        for (const t of texts(await $of(target))) if (t.lang === lang) words.add(t.text);
      }
      vocabulary.set(lang, words);
    }
    const problems: string[] = [];
    for (const target of PAGES.filter((t) => t.lang !== 'en')) {
      const found = texts(await $of(target));
      expect(found.length).toBeGreaterThan(20);
      for (const { text, lang } of found) {
        if (lang !== target.lang && !vocabulary.get(lang as Lang)?.has(text)) {
          problems.push(`${target.path}: "${text}" is marked lang="${lang}" but is not ${lang} text of the site`);
        }
        if (lang !== target.lang || NEUTRAL.test(text) || PROPER_NAMES.has(text)) continue;
        for (const other of LANGS) {
          if (other !== target.lang && vocabulary.get(other)?.has(text)) {
            problems.push(`${target.path}: "${text}" is ${other} text without lang="${other}"`);
          }
        }
      }
    }
    expect([...new Set(problems)].join('\n')).toBe('');
    // The language switcher names each language in that language.
    const $ = await $of(pagesIn('fr')[0] as Target);
    expect($('.languages a[lang="en"]').text()).toBe('English');
    expect($('.languages a[lang="es"]').text()).toBe('Español');
  });
});

// Last: the pages every test above opened ran with the policy of `_headers` and of the pages' meta tag in force.
describe('Content-Security-Policy', () => {
  it("lets the site's own scripts, styles, images and search run: no page above reported a violation", () => {
    expect(cspPages).toBeGreaterThan(100);
    expect(cspViolations.join('\n')).toBe('');
  });
});
