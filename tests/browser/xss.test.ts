import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { load } from 'cheerio';
import { XMLValidator } from 'fast-xml-parser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_POLICY } from '../../src/render/content-security-policy.js';
import { launchChromium } from '../helpers/chromium.js';
import { buildSite, type CliRun, makeSite, REPO } from '../helpers/site.js';
import { type StaticServer, serveStatic } from '../helpers/static-server.js';
import { hostileMarkup } from '../helpers/xss-markup.js';
import {
  chunks,
  contentSiteFiles,
  dataSiteFiles,
  joined,
  MARKER,
  PER_RELEASE,
  PIXEL,
  RELEASE_FIELDS,
  readCorpus,
  releaseSlug,
  SITE_FIELDS,
  TRANSLATED_STRINGS,
} from '../helpers/xss-sites.js';

// The XSS corpus (tests/fixtures/xss/vectors.json: the OWASP XSS Filter Evasion Cheat Sheet, html5sec.org, and
// Markdown and Nunjucks injections) in every field an editor writes, built into two sites, then: no payload left as
// markup in any page or feed (parsed), and none runs when every page, feed and the search page are opened in
// headless Chromium, with the site's Content-Security-Policy enforced and again with it bypassed (the sanitizer and
// the escaping alone must stop every vector; CSP is the second line).

const corpus = readCorpus();
const { vectors } = corpus;

/** A built hostile site, served over HTTP. */
interface Built {
  readonly root: string;
  readonly out: string;
  readonly run: CliRun;
  server: StaticServer;
  /** Site-relative URLs of its pages and feeds that the browser opens. */
  urls: string[];
}

let content: Built;
let data: Built;
let browser: Browser;

/** Every output file under `out`, relative, except the search index and Newsroom's own records. */
async function outputFiles(out: string): Promise<string[]> {
  const entries = await readdir(out, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(out, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((f) => !f.startsWith('.newsroom/') && !f.startsWith('pagefind/'))
    .sort();
}

/** The URL a reader requests for an output file: `news/x/index.html` -> `/news/x/`. */
const urlOf = (file: string): string => `/${file.replace(/(^|\/)index\.html$/, '$1')}`;
const isPage = (file: string) => file.endsWith('.html');
const isFeed = (file: string) => /(?:feed\.xml|atom\.xml|feed\.json)$/.test(file);

async function build(files: Record<string, string>): Promise<Built> {
  const root = await makeSite(files);
  // The site's own stylesheet and scripts (navigation, search), which must run under the policy.
  await cp(path.join(REPO, 'public'), path.join(root, 'public'), { recursive: true });
  await writeFile(path.join(root, 'public', 'images', 'pixel.png'), PIXEL);
  const run = await buildSite(root);
  const out = path.join(root, 'dist');
  return { root, out, run, server: undefined as unknown as StaticServer, urls: [] };
}

beforeAll(async () => {
  const launched = launchChromium();
  // One build at a time: Pagefind's indexing service is shared by the process.
  content = await build(contentSiteFiles(vectors));
  data = await build(dataSiteFiles(vectors));
  browser = await launched;
  for (const site of [content, data]) {
    expect(site.run.code, site.run.stderr).toBe(0);
    site.server = await serveStatic(site.out);
    // Every page, and the news feeds (the newest 50 releases: all of them); the archives' feeds repeat those
    // releases, so they are parsed below, not opened.
    site.urls = (await outputFiles(site.out))
      .filter((f) => isPage(f) || (/^news\/[^/]+$/.test(f) && isFeed(f)))
      .map(urlOf);
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([content?.server?.close(), data?.server?.close()]);
});

/**
 * Text as the HTML parser gives it back: line breaks normalised, NUL dropped (U+FFFD in attributes), white space
 * collapsed.
 */
const asText = (value: string): string =>
  value
    .replace(/\r\n?/g, '\n')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what the HTML parser drops
    .replace(/[\u0000\ufffd]/g, '')
    .replace(/\s+/g, ' ')
    .trim();

describe('the corpus', () => {
  it('has at least 150 vectors from the OWASP cheat sheet and html5sec.org, each with its source', () => {
    const count = (source: string) => vectors.filter((v) => v.source === source).length;
    expect(count('owasp') + count('html5sec')).toBeGreaterThanOrEqual(150);
    expect(count('nunjucks')).toBeGreaterThan(10);
    for (const vector of vectors) expect(corpus.sources[vector.source], vector.id).toBeTruthy();
    expect(new Set(vectors.map((v) => v.id)).size).toBe(vectors.length);
  });
});

describe('hostile content in every field', () => {
  it('builds with no field refused: every vector reaches its pages', () => {
    expect(content.run.stderr).toBe('');
    expect(data.run.stderr).toBe('');
  });

  it('shows every payload as text, exactly, in every field of its release (template syntax stays literal)', async () => {
    const problems: string[] = [];
    const releases = chunks(vectors, PER_RELEASE);
    for (const [k, group] of releases.entries()) {
      const $ = load(await readFile(path.join(content.out, 'news', releaseSlug(k), 'index.html'), 'utf8'));
      const payloads = asText(joined(group));
      const fields: [string, string | undefined][] = [
        ['title', $('h1').text()],
        ['summary', $('.release__summary').text()],
        // The dateline: the location, then its country.
        ['location', $('.release__location').text().split(', Country ')[0]],
        ['contact name', $('.contact__name').text()],
        ['contact office', $('.contact__office').text()],
        ['image alt', $('.release__image img').attr('alt')],
        ['caption and credit', $('.release__image figcaption').text()],
      ];
      for (const [field, shown] of fields) {
        const text = asText(shown ?? '');
        const expected = field === 'caption and credit' ? `${payloads} © ${payloads}` : payloads;
        if (text !== expected) problems.push(`${releaseSlug(k)} ${field}: ${JSON.stringify(text.slice(0, 120))}`);
      }
      const terms = asText($('.release__footer').text());
      if (!terms.includes(payloads)) problems.push(`${releaseSlug(k)}: terms`);
    }
    expect(problems.join('\n')).toBe('');
    // Nunjucks syntax in content is never evaluated: shown as written, in the title and the body.
    const k = vectors.findIndex((v) => v.id === 'nunjucks-001');
    const $ = load(
      await readFile(path.join(content.out, 'news', releaseSlug(Math.floor(k / PER_RELEASE)), 'index.html'), 'utf8'),
    );
    expect($('h1').text()).toContain('{{ 7*7 }}');
    expect($('h1').text()).toContain('{{ range.constructor("alert(1)")() }}');
    expect($('.release__body').text()).toContain('{{ 7*7 }}');
  });

  it('shows the site.yaml, navigation and translations payloads as text', async () => {
    const $ = load(await readFile(path.join(data.out, 'index.html'), 'utf8'));
    const all = asText(vectors.map((v) => v.payload).join('\n'));
    expect(asText($('.brand__name').text())).toBe(all);
    expect(asText($('.brand__short').text())).toBe(all);
    expect(asText($('.hero .lede').text())).toBe(all);
    expect(asText($('.site-footer p').eq(1).text())).toBe(all);
    expect(asText($('.skip-link').text())).toBe(all);
    const labels = $('.site-nav a')
      .toArray()
      .map((a) => asText($(a).text()));
    expect(labels.sort()).toEqual(vectors.map((v) => asText(v.payload)).sort());
  });

  it('leaves no payload as markup in any page or feed of either site', async () => {
    const problems: string[] = [];
    let pages = 0;
    let feeds = 0;
    for (const site of [content, data]) {
      for (const file of await outputFiles(site.out)) {
        if (isPage(file)) {
          pages++;
          for (const p of hostileMarkup(await readFile(path.join(site.out, file), 'utf8'), 'document')) {
            problems.push(`${file}: ${p}`);
          }
        } else if (isFeed(file)) {
          feeds++;
          const text = await readFile(path.join(site.out, file), 'utf8');
          for (const html of feedHtml(file, text)) {
            for (const p of hostileMarkup(html, 'fragment')) problems.push(`${file}: ${p}`);
          }
        }
      }
    }
    console.log(`xss: ${pages} pages and ${feeds} feeds parsed, ${problems.length} payloads left as markup`);
    expect(problems.slice(0, 50).join('\n')).toBe('');
    expect(pages).toBeGreaterThan(vectors.length / PER_RELEASE);
  });
});

/** The HTML a feed carries (item content, summaries, titles), after checking the feed parses. */
function feedHtml(file: string, text: string): string[] {
  if (file.endsWith('.json')) {
    const feed = JSON.parse(text) as { items: { content_html?: string }[] };
    return feed.items.map((item) => item.content_html ?? '');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) return [`<xml-error>${valid.err.msg} at line ${valid.err.line}</xml-error>`];
  // Items' titles, summaries and content are HTML (Atom says type="html"); the feed's own title is text.
  const $ = load(text, { xml: true });
  return $(
    'item > title, item > description, item > content\\:encoded, entry > title, entry > summary, entry > content',
  )
    .toArray()
    .map((element) => $(element).text());
}

/** What the hooks saw in the browser. */
interface Observed {
  readonly executions: string[];
  readonly navigations: string[];
  readonly violations: string[];
  readonly requests: string[];
  /** The pages and feeds to open, besides the search runs. */
  targets: number;
  visited: number;
}

/**
 * Runs in every frame before any of its scripts: `alert`, `confirm`, `prompt`, `print` and `document.write` (what
 * the payloads call) report instead of running; every Content-Security-Policy violation is reported.
 */
function instrument(): void {
  const w = window as unknown as Record<string, unknown> & {
    __xssReport(kind: string, what: string): void;
    location: { href: string };
    document: Record<string, unknown> & { addEventListener(type: string, listener: (event: unknown) => void): void };
  };
  const report = (kind: string, what: string) => w.__xssReport(kind, `${w.location.href}: ${what}`);
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    w[name] = (...args: unknown[]) => report('execution', `${name}(${args.join(', ')})`);
  }
  for (const name of ['write', 'writeln']) {
    w.document[name] = (...args: unknown[]) => report('execution', `document.${name}(${args.join(', ')})`);
  }
  w.document.addEventListener('securitypolicyviolation', (event) => {
    const e = event as { effectiveDirective: string; blockedURI: string; sample: string };
    report('violation', `${e.effectiveDirective} blocked ${e.blockedURI} ${e.sample}`);
  });
}

declare const window: unknown;

/** The top-level folders whose pages are of one kind each; any other folder is a section page. */
const KINDS = new Set(['news', 'themes', 'regions', 'countries', 'search']);

/** One URL of each kind (a release, a theme, a listing's second page ...): `/news/hostile-3/` is `/news/x/`. */
function oneOfEachKind(urls: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const url of urls) {
    const shape = url
      .split('/')
      .map((part, i) => (i === 0 || part === '' || KINDS.has(part) || /\.(?:html|xml|json)$/.test(part) ? part : 'x'))
      .join('/');
    if (!seen.has(shape)) seen.set(shape, url);
  }
  return [...seen.values()];
}

/**
 * Opens pages and feeds of both sites, and searches, in one browser context; returns what the hooks saw. With the
 * policy bypassed, every page and feed of both sites; enforced, every page of the site-data site (each holds every
 * payload) and one page of each kind of the content site, which shows that the site's own code runs under the
 * policy (all of them with NEWSROOM_XSS_FULL=1, `npm run test:xss`).
 */
async function visitAll(bypassCSP: boolean): Promise<Observed> {
  const observed: Observed = { executions: [], navigations: [], violations: [], requests: [], targets: 0, visited: 0 };
  const context: BrowserContext = await browser.newContext({ bypassCSP });
  try {
    await context.exposeFunction('__xssReport', (kind: string, what: string) => {
      // Chromium shows a feed (XML with no stylesheet) in its own viewer, which styles the tree inline: the policy
      // refuses those styles (the tree is shown unstyled). That is the browser's code, neither the site's nor a payload's.
      if (kind === 'violation' && /\.xml: style-src-(?:elem|attr) blocked inline $/.test(what)) return;
      (kind === 'violation' ? observed.violations : observed.executions).push(what);
    });
    await context.addInitScript(instrument);
    const origins = new Set([content.server.url, data.server.url]);
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (origins.has(new URL(url).origin)) return route.continue();
      observed.requests.push(`${route.request().resourceType()} ${url}`);
      return route.abort();
    });
    context.on('page', (page) => {
      page.on('dialog', (dialog) => {
        observed.executions.push(`${page.url()}: ${dialog.type()} dialog "${dialog.message()}"`);
        void dialog.dismiss().catch(() => undefined);
      });
      page.on('popup', (popup) => observed.executions.push(`${page.url()}: opened ${popup.url()}`));
    });
    const all = bypassCSP || process.env.NEWSROOM_XSS_FULL === '1';
    const targets = [
      ...(all ? content.urls : oneOfEachKind(content.urls)).map((url) => content.server.url + url),
      ...data.urls.map((url) => data.server.url + url),
    ];
    observed.targets = targets.length;
    const open = async (page: Page, url: string): Promise<void> => {
      let expected = url;
      const onNavigated = (frame: ReturnType<Page['mainFrame']>) => {
        if (frame === page.mainFrame() && frame.url() !== expected)
          observed.navigations.push(`${url} -> ${frame.url()}`);
      };
      page.on('framenavigated', onNavigated);
      try {
        const response = await page.goto(url, { waitUntil: 'load' });
        expected = page.url();
        if (response?.headers()['content-security-policy'] !== HEADER_POLICY) {
          observed.executions.push(`${url}: served without the policy`);
        }
        // Let autofocus, timers of 0 ms and the like fire.
        await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
      } catch (error) {
        // A payload that navigates (meta refresh, location=...) interrupts the load or destroys the page's context.
        observed.navigations.push(`${url}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
      page.off('framenavigated', onNavigated);
      observed.visited++;
    };
    const queue = [...targets];
    const worker = async (): Promise<void> => {
      const page = await context.newPage();
      for (let url = queue.shift(); url !== undefined; url = queue.shift()) await open(page, url);
      await page.close();
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    // The search page, with results: payloads as titles and excerpts, and the data site's interface strings.
    const page = await context.newPage();
    for (const [site, query] of [
      [content, MARKER],
      [content, 'alert'],
      [content, 'script'],
      [data, MARKER],
    ] as const) {
      await open(page, `${site.server.url}/search/?q=${encodeURIComponent(query)}`);
      // The status says how many results, that there are none, or that the index could not be loaded.
      await page.locator('.search__status:not(:empty)').waitFor({ timeout: 15_000 });
      const status = await page.locator('.search__status').textContent();
      expect(
        await page.locator('.search__results li').count(),
        `${query}: ${status}; ${observed.violations}`,
      ).toBeGreaterThan(0);
    }
    await page.close();
  } finally {
    await context.close();
  }
  return observed;
}

describe('in headless Chromium', () => {
  for (const bypassCSP of [false, true]) {
    it(`runs no payload, navigates nowhere, with the Content-Security-Policy ${bypassCSP ? 'bypassed' : 'enforced'}`, async () => {
      const observed = await visitAll(bypassCSP);
      console.log(
        `xss (CSP ${bypassCSP ? 'bypassed' : 'enforced'}): ${vectors.length} vectors in ${RELEASE_FIELDS.length + SITE_FIELDS.length + TRANSLATED_STRINGS.length + 1} fields, ` +
          `${observed.visited} pages and feeds opened, ${observed.executions.length} executions, ` +
          `${observed.navigations.length} navigations, ${observed.violations.length} CSP violations, ` +
          `${observed.requests.length} requests elsewhere`,
      );
      expect(observed.executions.join('\n')).toBe('');
      expect(observed.navigations.join('\n')).toBe('');
      expect(observed.violations.join('\n')).toBe('');
      expect(observed.requests.join('\n')).toBe('');
      expect(observed.visited).toBe(observed.targets + 4);
      if (bypassCSP) expect(observed.targets).toBe(content.urls.length + data.urls.length);
    }, 120_000);
  }
});
