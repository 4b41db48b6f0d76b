import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { extractFromJson } from '@extractus/feed-extractor';
import { parseFeed } from '@rowanmanning/feed-parser';
import { type CheerioAPI, load } from 'cheerio';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DevSession } from '../../src/dev/dev-session.js';
import { renderSitemap } from '../../src/render/sitemap.js';
import { type SitemapEntry, sitemapRoutes } from '../../src/site/routes.js';
import { buildSite, cli, makeSite, page, REPO, release, SITE_YAML, tempDir } from '../helpers/site.js';

const NOW = '2026-11-27T00:00:00Z';
const BASE = 'https://newsroom.example.org';
const BEIJING = {
  en: '/news/iom-works-china-strengthen-border-management-protect-trafficking-victims/',
  fr: '/fr/news/oim-chine-renforcer-gestion-frontieres-proteger-victimes-traite/',
  es: '/es/news/oim-china-fortalecer-gestion-fronteras-proteger-victimas-trata/',
};

/** A sample release as its front matter says, read independently of the generator. */
interface Source {
  readonly file: string;
  readonly title: string;
  readonly date: string;
  readonly lang: string;
  readonly themes: string[];
  readonly country: string | undefined;
  readonly region: string | undefined;
  readonly url: string;
}

let out: string;
let files: string[];
let published: Source[];
const pages = new Map<string, CheerioAPI>();
const html = (url: string): CheerioAPI => {
  const file = url.endsWith('/') ? `${url.slice(1)}index.html` : url.slice(1);
  const $ = pages.get(file);
  if (!$) throw new Error(`no page ${url}`);
  return $;
};
const text = (url: string) => readFile(path.join(out, url.slice(1)), 'utf8');
const english = () => published.filter((r) => r.lang === 'en');
const newestFirst = (a: Source, b: Source) => b.date.localeCompare(a.date) || a.url.localeCompare(b.url);

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/**
 * The pages of each shard of the search index in `dir` (pagefind/<year>/), by language, as Pagefind's entry files
 * say; checking that pagefind/shards.json lists the same shards, newest first, with the same languages.
 */
async function searchShards(dir: string): Promise<Map<string, Record<string, number>>> {
  const read = async <T>(file: string) => JSON.parse(await readFile(path.join(dir, 'pagefind', file), 'utf8')) as T;
  const { shards } = await read<{ shards: { year: string; languages: string[] }[] }>('shards.json');
  const years = shards.map((s) => s.year);
  expect(years).toEqual([...years].sort().reverse());
  const found = new Map<string, Record<string, number>>();
  for (const { year, languages } of shards) {
    const entry = await read<{ languages: Record<string, { page_count: number }> }>(`${year}/pagefind-entry.json`);
    expect(Object.keys(entry.languages).sort(), year).toEqual(languages);
    found.set(year, Object.fromEntries(Object.entries(entry.languages).map(([lang, e]) => [lang, e.page_count])));
  }
  return found;
}

/** The pages of the search index in `dir` by language, all shards together. */
async function searchPages(dir: string): Promise<Record<string, number>> {
  const total: Record<string, number> = {};
  for (const counts of (await searchShards(dir)).values()) {
    for (const [lang, count] of Object.entries(counts)) total[lang] = (total[lang] ?? 0) + count;
  }
  return total;
}

/** The sample releases published at NOW, from their front matter. */
async function sampleReleases(): Promise<Source[]> {
  const dir = path.join(REPO, 'content/news');
  const list: Source[] = [];
  for (const file of (await listFiles(dir)).filter((f) => f.endsWith('.md'))) {
    const source = await readFile(path.join(dir, file), 'utf8');
    const data = parseYaml(source.split(/^---$/m)[1] ?? '') as Record<string, unknown>;
    if (data.draft === true || (typeof data.embargo === 'string' && Date.parse(data.embargo) > Date.parse(NOW)))
      continue;
    const lang = (data.lang as string | undefined) ?? 'en';
    const slug = path.basename(file, '.md');
    list.push({
      file,
      title: String(data.title),
      date: String(data.date),
      lang,
      themes: (data.themes as string[] | undefined) ?? [],
      country: data.country as string | undefined,
      region: data.region as string | undefined,
      url: `${lang === 'en' ? '' : `/${lang}`}/news/${slug}/`,
    });
  }
  return list;
}

beforeAll(async () => {
  out = path.join(await tempDir(), 'site');
  const run = await cli('build', '--root', REPO, '--out', out, '--now', NOW);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  files = await listFiles(out);
  for (const f of files.filter((f) => f.endsWith('.html')))
    pages.set(f, load(await readFile(path.join(out, f), 'utf8')));
  published = await sampleReleases();
}, 60_000);

describe('archives', () => {
  const cards = ($: CheerioAPI) =>
    $('main .card__title a')
      .map((_, el) => $(el).attr('href'))
      .get();

  it('have a page per theme listing exactly its releases, newest first, and an index with counts', () => {
    const themes = new Set(english().flatMap((r) => r.themes));
    const $ = html('/themes/');
    const entries = $('main .term-list--index > li')
      .map((_, el) => ({ href: $(el).find('a').attr('href') ?? '', text: $(el).text() }))
      .get();
    expect(entries).toHaveLength(themes.size);
    for (const theme of themes) {
      const expected = english()
        .filter((r) => r.themes.includes(theme))
        .sort(newestFirst);
      const entry = entries.find((e) => $(`a[href="${e.href}"]`).text() === theme);
      expect(entry, theme).toBeDefined();
      expect(entry?.text).toContain(`(${expected.length} releases)`);
      const listing = html(entry?.href ?? '');
      expect(listing('h1').text()).toBe(theme);
      expect(cards(listing), theme).toEqual(expected.map((r) => r.url));
    }
    expect(html('/themes/counter-trafficking/')('main').length).toBe(1);
  });

  it('nest countries under their region: a region lists its countries, a country links its region', () => {
    const region = html('/regions/asia-and-the-pacific/');
    const countries = new Set(
      english()
        .filter((r) => r.region === 'Asia and the Pacific')
        .map((r) => r.country),
    );
    const listed = region('.listing__countries a')
      .map((_, el) => region(el).text())
      .get();
    expect(new Set(listed)).toEqual(countries);
    expect(listed).toContain('China');
    const china = html('/countries/china/');
    expect(china('.listing__region a').attr('href')).toBe('/regions/asia-and-the-pacific/');
    expect(cards(china)).toContain(BEIJING.en);
    const index = html('/regions/');
    const asia = index('.term-list--index > li').filter(
      (_, el) => index(el).find('> a').text() === 'Asia and the Pacific',
    );
    expect(asia.find('.term-list--nested a[href="/countries/china/"]')).toHaveLength(1);
    expect(html('/countries/')('main a[href="/countries/china/"]')).toHaveLength(1);
  });

  it('have a page per year and an index of years', () => {
    const in2012 = english()
      .filter((r) => r.date.startsWith('2012'))
      .sort(newestFirst);
    expect(cards(html('/news/2012/'))).toEqual(in2012.map((r) => r.url));
    const years = html('/news/archive/');
    expect(years('main a[href="/news/2012/"]').parent().text()).toContain(`(${in2012.length} releases)`);
    expect(
      new Set(
        years('main .term-list a')
          .map((_, el) => years(el).text())
          .get(),
      ),
    ).toEqual(new Set(english().map((r) => r.date.slice(0, 4))));
  });

  it('exist in every language, with translated labels and the same slugs', () => {
    const $ = html('/fr/themes/counter-trafficking/');
    expect($('html').attr('lang')).toBe('fr');
    expect($('h1').text()).toBe('Lutte contre la traite des personnes');
    expect(cards($)).toEqual([BEIJING.fr]);
    expect(html('/es/countries/china/')('h1').text()).toBe('China');
    expect(html('/es/regions/asia-and-the-pacific/')('h1').text()).toBe('Asia y el Pacífico');
  });

  it('paginate like /news/ and report two labels with one slug, and a country in two regions', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 25; i++) {
      files[`content/news/r${i}.md`] = release({
        title: `R${i}`,
        date: `2020-01-${String(i + 1).padStart(2, '0')}`,
        themes: '[Health]',
      });
    }
    const root = await makeSite(files);
    expect((await buildSite(root)).code).toBe(0);
    const second = await page(root, 'themes/health/page/2/index.html');
    expect(second('main .card')).toHaveLength(5);
    expect(second('a[rel="prev"]').attr('href')).toBe('/themes/health/');

    const clash = await makeSite({
      'content/news/a.md': release({ title: 'A', themes: '[Counter-trafficking]', country: 'Chad', region: 'Africa' }),
      'content/news/b.md': release({ title: 'B', themes: '[Counter Trafficking]', country: 'Chad', region: 'Europe' }),
    });
    const run = await buildSite(clash);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^content\/news\/b\.md:6:1: theme "Counter Trafficking" has the same URL \/themes\/counter-trafficking\/ as "Counter-trafficking" \(in content\/news\/a\.md\)/m,
    );
    expect(run.stderr).toMatch(
      /^content\/news\/b\.md:\d+:1: Chad is filed under "Europe" here but under "Africa" in content\/news\/a\.md/m,
    );
  });
});

describe('release pages', () => {
  it('link the previous and next release in their language', () => {
    const list = english().sort(newestFirst);
    const i = list.findIndex((r) => r.url === BEIJING.en);
    const $ = html(BEIJING.en);
    expect($('.release-nav a[rel="prev"]').attr('href')).toBe(list[i + 1]?.url);
    expect($('.release-nav a[rel="next"]').attr('href')).toBe(list[i - 1]?.url);
  });

  it('show at most four related releases sharing its themes or country, the closest first', () => {
    for (const source of english()) {
      const $ = html(source.url);
      const related = $('.related .card__title a')
        .map((_, el) => $(el).attr('href'))
        .get()
        .map((url) => english().find((r) => r.url === url));
      expect(related.length, source.url).toBeLessThanOrEqual(4);
      const score = (r: Source | undefined) =>
        (r?.themes.filter((t) => source.themes.includes(t)).length ?? 0) + (r?.country === source.country ? 1 : 0);
      for (const r of related) {
        expect(r, source.url).toBeDefined();
        expect(score(r), `${source.url} -> ${r?.url}`).toBeGreaterThan(0);
      }
      const scores = related.map(score);
      expect(
        [...scores].sort((a, b) => b - a),
        source.url,
      ).toEqual(scores);
      const best = Math.max(
        0,
        ...english()
          .filter((r) => r !== source)
          .map(score),
      );
      if (best > 0) expect(scores[0], source.url).toBe(best);
    }
  });
});

describe('feeds', () => {
  const feedFiles = () => files.filter((f) => /(?:^|\/)(?:feed\.xml|atom\.xml|feed\.json)$/.test(f));

  it('exist for all news and for each theme and region, in every language, and are announced on their pages', () => {
    for (const base of ['news/', 'fr/news/', 'es/news/', 'themes/counter-trafficking/', 'regions/africa/']) {
      for (const name of ['feed.xml', 'atom.xml', 'feed.json']) expect(files, base + name).toContain(base + name);
    }
    expect(files.some((f) => f.startsWith('countries/') && f.endsWith('.xml'))).toBe(false);
    const $ = html('/themes/counter-trafficking/');
    expect(
      $('link[rel="alternate"][type="application/atom+xml"][href="/themes/counter-trafficking/atom.xml"]'),
    ).toHaveLength(1);
    expect(feedFiles().length).toBeGreaterThan(40);
  });

  it('parse with a real feed parser: newest 50, absolute links to real pages, full HTML, correct dates', async () => {
    for (const file of feedFiles()) {
      const body = await readFile(path.join(out, file), 'utf8');
      const items = file.endsWith('.json')
        ? (() => {
            const json = JSON.parse(body) as { version: string; language: string; authors: unknown[] };
            expect(json.version, file).toBe('https://jsonfeed.org/version/1.1');
            expect(json.authors, file).toHaveLength(1);
            const parsed = extractFromJson(json, {
              normalization: true,
              getExtraEntryFields: (e) => ({ html: (e as { content_html: string }).content_html }),
            });
            return (parsed.entries ?? []).map((e) => ({
              url: e.link ?? '',
              published: e.published ? new Date(e.published) : null,
              content: (e as unknown as { html: string }).html,
            }));
          })()
        : parseFeed(body).items.map((item) => ({
            url: item.url ?? '',
            published: item.published,
            content: item.content ?? '',
          }));
      expect(items.length, file).toBeLessThanOrEqual(50);
      for (const item of items) {
        expect(item.url, file).toMatch(new RegExp(`^${BASE}/`));
        const source = published.find((r) => `${BASE}${r.url}` === item.url);
        expect(source, `${file}: ${item.url}`).toBeDefined();
        expect(item.published?.toISOString().slice(0, 10), `${file}: ${item.url}`).toBe(source?.date.slice(0, 10));
        expect(item.content, file).toMatch(/<p>/);
        expect(item.content, file).not.toMatch(/(?:href|src)="\/(?!\/)/);
      }
    }
    const news = parseFeed(await text('/news/atom.xml'));
    expect(news.items.map((i) => i.url)).toEqual(
      english()
        .sort(newestFirst)
        .map((r) => `${BASE}${r.url}`),
    );
    expect(news.language ?? 'en').toBe('en');
    // A release's image: in the content with its alt text (every format), as an RSS enclosure with its real type.
    const fiji = news.items.find((i) => i.url?.includes('fiji'));
    expect(fiji?.content).toMatch(
      /^<figure><img src="https:\/\/newsroom\.example\.org\/images\/fiji-relocation\.[0-9a-f]{8}\.svg" alt="Illustration of a coastline/,
    );
    const rss = parseFeed(await text('/news/feed.xml')).items.find((i) => i.url?.includes('fiji'));
    expect(rss?.media.map((m) => [m.url?.replace(/\.[0-9a-f]{8}\.svg$/, '.svg'), m.mimeType])).toEqual([
      [`${BASE}/images/fiji-relocation.svg`, 'image/svg+xml'],
    ]);
    const fr = parseFeed(await text('/fr/news/feed.xml'));
    expect(fr.items.map((i) => i.url)).toContain(`${BASE}${BEIJING.fr}`);
    expect(fr.items.every((i) => i.url?.startsWith(`${BASE}/fr/`))).toBe(true);
  });

  it('hold the newest 50 only, with site links made absolute in their content', async () => {
    const files: Record<string, string> = {
      'public/images/a.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    };
    for (let i = 0; i < 55; i++) {
      const date = new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10);
      files[`content/news/r${i}.md`] = release(
        { title: i === 54 ? '"R54: Rights & <Wrongs>"' : `R${i}`, date },
        `See [the other](/news/r0/) and ![map](/images/a.svg).\n`,
      );
    }
    const root = await makeSite(files);
    expect((await buildSite(root)).code).toBe(0);
    const feed = parseFeed(await readFile(path.join(root, 'dist/news/feed.xml'), 'utf8'));
    expect(feed.items).toHaveLength(50);
    expect(feed.items[0]?.title).toBe('R54: Rights & <Wrongs>');
    // Titles are HTML in RSS and Atom: the text is escaped, never markup.
    for (const name of ['feed.xml', 'atom.xml']) {
      const raw = await readFile(path.join(root, 'dist/news', name), 'utf8');
      expect(raw, name).toContain('R54: Rights &#x26; &#x3C;Wrongs>');
      expect(raw, name).not.toContain('<Wrongs>');
    }
    const json = JSON.parse(await readFile(path.join(root, 'dist/news/feed.json'), 'utf8')) as {
      items: { title: string }[];
    };
    expect(json.items[0]?.title).toBe('R54: Rights & <Wrongs>');
    expect(feed.items[49]?.title).toBe('R5');
    expect(feed.items[0]?.content).toContain('href="https://news.example.org/news/r0/"');
    expect(feed.items[0]?.content).toMatch(/src="https:\/\/news\.example\.org\/images\/a\.[0-9a-f]{8}\.svg"/);
  });

  it('stay well-formed XML with "]]>" twice or a control character in a title, summary or body', async () => {
    // The feed library escapes only the first "]]>" of a CDATA section: a second one ended it, and what followed was
    // read as XML (here an <img onerror>); a NUL (XML forbids it even escaped) made the whole feed unreadable.
    const hostile = ']]> ]]> <img src=x onerror=alert(1)>';
    const root = await makeSite({
      'content/news/a.md': release(
        { title: JSON.stringify(`${hostile}\u0000`), summary: JSON.stringify(hostile) },
        `${hostile}\n\nAnd \u0001 ]]> ]]> again.\n`,
      ),
    });
    expect((await buildSite(root)).code).toBe(0);
    for (const name of ['feed.xml', 'atom.xml']) {
      const raw = await readFile(path.join(root, 'dist/news', name), 'utf8');
      expect(XMLValidator.validate(raw), name).toBe(true);
      const [item] = parseFeed(raw).items;
      expect(item?.title, name).toBe(hostile);
      expect(item?.content, name).toContain('<p>And  ]]> ]]> again.</p>');
      expect(item?.content, name).not.toContain('<img src=x');
    }
  });
});

describe('sitemap and robots.txt', () => {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['url', 'xhtml:link', 'sitemap'].includes(name),
  });
  type Url = { loc: string; lastmod?: string; 'xhtml:link'?: { rel: string; hreflang: string; href: string }[] };

  it('list every public page once, absolute, with lastmod and hreflang alternates, and no drafts', async () => {
    const xml = parser.parse(await text('/sitemap.xml')) as { urlset: { url: Url[] } };
    const urls = xml.urlset.url;
    const locs = urls.map((u) => u.loc);
    expect(new Set(locs).size).toBe(locs.length);
    for (const loc of locs) {
      expect(loc).toMatch(new RegExp(`^${BASE}/`));
      const file = loc.slice(BASE.length + 1);
      expect(files, loc).toContain(file === '' || file.endsWith('/') ? `${file}index.html` : file);
    }
    for (const r of published) expect(locs, r.url).toContain(`${BASE}${r.url}`);
    expect(locs.some((l) => /talent-partnership|global-gaps|404|\/search\//.test(l))).toBe(false);
    const beijing = urls.find((u) => u.loc === `${BASE}${BEIJING.en}`);
    expect(beijing?.lastmod).toBe('2012-05-15');
    expect(beijing?.['xhtml:link']?.map((l) => [l.hreflang, l.href])).toEqual([
      ['en', `${BASE}${BEIJING.en}`],
      ['fr', `${BASE}${BEIJING.fr}`],
      ['es', `${BASE}${BEIJING.es}`],
    ]);
    expect(await text('/robots.txt')).toBe(`User-agent: *\nAllow: /\n\nSitemap: ${BASE}/sitemap.xml\n`);
  });

  it('becomes a sitemap index with one sitemap per 50,000 URLs (checked here with a limit of 2)', () => {
    const entries: SitemapEntry[] = ['/a/', '/b/', '/c/', '/d/', '/e/'].map((url, i) => ({
      url,
      lastmod: `2020-01-0${i + 1}`,
      alternates: [],
    }));
    const routes = sitemapRoutes(entries, 2, 'en');
    expect(routes.map((r) => r.outputPath)).toEqual(['sitemap.xml', 'sitemap-1.xml', 'sitemap-2.xml', 'sitemap-3.xml']);
    const index = parser.parse(renderSitemap(routes[0] as (typeof routes)[0], BASE)) as {
      sitemapindex: { sitemap: { loc: string; lastmod: string }[] };
    };
    expect(index.sitemapindex.sitemap).toEqual([
      { loc: `${BASE}/sitemap-1.xml`, lastmod: '2020-01-02' },
      { loc: `${BASE}/sitemap-2.xml`, lastmod: '2020-01-04' },
      { loc: `${BASE}/sitemap-3.xml`, lastmod: '2020-01-05' },
    ]);
    const last = parser.parse(renderSitemap(routes[3] as (typeof routes)[0], BASE)) as { urlset: { url: Url[] } };
    expect(last.urlset.url.map((u) => u.loc)).toEqual([`${BASE}/e/`]);
    expect(sitemapRoutes(entries, 50_000, 'en')).toHaveLength(1);
  });

  it('keep drafts out of feeds, sitemap and search, and close robots.txt, in a --drafts preview', async () => {
    const preview = path.join(await tempDir(), 'preview');
    expect((await cli('build', '--root', REPO, '--out', preview, '--drafts', '--now', NOW)).code).toBe(0);
    const read = (f: string) => readFile(path.join(preview, f), 'utf8');
    expect(await read('news/eu-and-iom-launch-talent-partnership-pilots/index.html')).toContain('preview-banner');
    for (const f of ['sitemap.xml', 'news/feed.xml', 'news/atom.xml', 'news/feed.json']) {
      expect(await read(f), f).not.toMatch(/talent-partnership|global-gaps/);
    }
    expect(await read('robots.txt')).toBe('User-agent: *\nDisallow: /\n');
    expect(load(await read('index.html'))('meta[name="robots"]').attr('content')).toBe('noindex');
    expect((await searchPages(preview)).en).toBe(english().length);
  });
});

describe('metadata', () => {
  it('gives every page a title, description, canonical URL, Open Graph and Twitter card tags', () => {
    for (const [file, $] of pages) {
      const meta = (selector: string) => $(`meta[${selector}]`).attr('content');
      expect($('title').text(), file).toMatch(
        / \| (International Organization for Migration|Organisation internationale pour les migrations|Organización Internacional para las Migraciones)$/,
      );
      expect(meta('name="description"')?.length, file).toBeGreaterThan(20);
      // Never the English site description on a French or Spanish page.
      if (/^(fr|es)\//.test(file)) expect(meta('name="description"'), file).not.toMatch(/^Press releases from IOM/);
      expect(meta('property="og:title"'), file).toBeTruthy();
      expect(meta('property="og:image"'), file).toMatch(new RegExp(`^${BASE}/`));
      expect(meta('name="twitter:card"'), file).toBe('summary_large_image');
      if (file.endsWith('404.html')) continue;
      const canonical = $('link[rel="canonical"]').attr('href');
      expect(canonical, file).toBe(`${BASE}/${file.replace(/index\.html$/, '')}`);
      expect(meta('property="og:url"'), file).toBe(canonical);
    }
    const $ = html(BEIJING.en);
    expect($('title').text()).toBe(
      'IOM Works with China to Strengthen Border Management, Protect Trafficking Victims | International Organization for Migration',
    );
    expect($('meta[name="description"]').attr('content')).toMatch(/^IOM is hosting a four-day workshop in Beijing/);
    expect($('meta[property="og:type"]').attr('content')).toBe('article');
  });

  it('gives every release a NewsArticle with the properties Google lists for Article rich results', () => {
    for (const source of published) {
      const $ = html(source.url);
      const blocks = $('script[type="application/ld+json"]');
      expect(blocks, source.url).toHaveLength(1);
      const data = JSON.parse(blocks.text()) as Record<string, unknown> & {
        image: string[];
        author: Record<string, string>;
        publisher: Record<string, unknown>;
      };
      expect(data['@context']).toBe('https://schema.org');
      expect(data['@type']).toBe('NewsArticle');
      expect(data.headline).toBe(source.title);
      expect(data.image.length).toBeGreaterThan(0);
      for (const image of data.image) expect(image).toMatch(new RegExp(`^${BASE}/.+\\.(png|jpe?g|webp|svg)$`));
      expect(Number.isNaN(Date.parse(String(data.datePublished)))).toBe(false);
      expect(Number.isNaN(Date.parse(String(data.dateModified)))).toBe(false);
      expect(data.datePublished).toBe(source.date);
      expect(data.author).toMatchObject({ '@type': 'Organization', url: 'https://www.iom.int/' });
      expect(data.author.name).toBeTruthy();
      expect(data.publisher).toMatchObject({ '@type': 'Organization', logo: { '@type': 'ImageObject' } });
      expect(data.inLanguage).toBe($('html').attr('lang'));
      expect(data.mainEntityOfPage).toMatchObject({ '@id': `${BASE}${source.url}` });
    }
    const beijing = JSON.parse(html(BEIJING.fr)('script[type="application/ld+json"]').text()) as Record<
      string,
      unknown
    >;
    expect(beijing).toMatchObject({
      inLanguage: 'fr',
      locationCreated: { '@type': 'Place', name: 'Pékin', address: { addressCountry: 'China' } },
      translationOfWork: { '@id': `${BASE}${BEIJING.en}` },
    });
  });
});

describe('languages', () => {
  it('link the versions of a release: switcher, hreflang and x-default, in each language', () => {
    for (const lang of ['en', 'fr', 'es'] as const) {
      const $ = html(BEIJING[lang]);
      expect($('html').attr('lang')).toBe(lang);
      expect(
        $('nav.languages a')
          .map((_, el) => [[$(el).attr('hreflang'), $(el).attr('href')]])
          .get(),
      ).toEqual([
        ['en', BEIJING.en],
        ['fr', BEIJING.fr],
        ['es', BEIJING.es],
      ]);
      expect($(`nav.languages a[hreflang="${lang}"]`).attr('aria-current')).toBe('page');
      expect($('link[rel="alternate"][hreflang="x-default"]').attr('href')).toBe(`${BASE}${BEIJING.en}`);
      expect($('link[rel="alternate"][hreflang]')).toHaveLength(4);
    }
    expect(html(BEIJING.fr)('.release__meta time').text()).toBe('15 mai 2012');
    expect(html(BEIJING.es)('.release__meta time').text()).toBe('15 de mayo de 2012');
  });

  it('offer only versions that exist', () => {
    const untranslated = english().find((r) => r.url.includes('colombia'));
    const $ = html(untranslated?.url ?? '');
    expect(
      $('nav.languages a')
        .map((_, el) => $(el).attr('hreflang'))
        .get(),
    ).toEqual(['en']);
    expect($('nav.languages a').attr('aria-current')).toBe('page');
    expect($('link[rel="alternate"][hreflang]')).toHaveLength(0);
    expect(html('/news/')('nav.languages a').length).toBe(3);
  });

  it('translate the interface and navigation, and point navigation at translated pages', () => {
    const $ = html('/fr/');
    expect($('a.skip-link').text()).toBe('Aller au contenu principal');
    expect($('nav[aria-label="Principale"] a[href="/fr/qui-sommes-nous/"]').text()).toBe('Qui sommes-nous');
    const partnerships = $('nav[aria-label="Principale"] a[href="/our-work/partnerships/"]');
    expect(partnerships.text()).toBe('Partenariats');
    expect(partnerships.attr('hreflang')).toBe('en');
    expect($('nav[aria-label="Principale"] a[href="/fr/news/"]').text()).toBe('Actualités');
    expect(html('/fr/qui-sommes-nous/')('nav.languages a[hreflang="en"]').attr('href')).toBe('/who-we-are/');
    const news = html('/fr/news/');
    expect(
      news('main .card__title a')
        .map((_, el) => news(el).attr('href'))
        .get()
        .every((u) => u.startsWith('/fr/news/')),
    ).toBe(true);
    expect(html('/es/news/')('.lede').text()).toMatch(/^Comunicados de prensa de la OIM/);
  });

  it('mark links in a release body to a page in another language with hreflang', () => {
    const fr = html('/fr/news/oim-fournit-des-abris-aux-familles-deplacees-par-le-cyclone-idai-au-mozambique/');
    const link = fr('.release__body a[href^="/news/"]');
    expect(link.length).toBeGreaterThan(0);
    expect(link.attr('hreflang')).toBe('en');
    expect(link.attr('data-url')).toBe(`${BASE}${link.attr('href')}`); // what the print stylesheet writes out
    const en = html('/news/iom-provides-shelter-to-families-displaced-by-cyclone-idai-in-mozambique/');
    expect(en('.release__body a[href^="/news/"]').length).toBeGreaterThan(0);
    expect(en('.release__body a[hreflang]')).toHaveLength(0);
  });

  it('check reports stale translations, keys shared within one language, and unknown languages', async () => {
    const trilingual = `${SITE_YAML}languages: [en, fr, es]\n`;
    const root = await makeSite({
      'content/_data/site.yaml': trilingual,
      'content/news/a.md': release({ title: 'A', translationKey: 'a', updated: '2020-03-01' }),
      'content/news/a-fr.md': release({
        title: 'A fr',
        lang: 'fr',
        translationKey: 'a',
        updated: '2020-02-01',
        themes: '[Health, Displacement]',
      }),
      'content/news/a-es.md': release({ title: 'A es', lang: 'es', translationKey: 'a', updated: '2020-03-02' }),
    });
    const stale = await cli('check', '--root', root);
    expect(stale.code).toBe(0);
    expect(stale.stderr).toMatch(
      /^content\/news\/a-fr\.md:7:1: warning: this translation is older than its source: content\/news\/a\.md was updated 2020-03-01, this one 2020-02-01/m,
    );
    expect(stale.stderr).not.toMatch(/a-es\.md/);
    // A term with no French label yet: shown in English on French pages, and said so.
    expect(stale.stderr).toMatch(
      /^content\/_data\/translations\.yaml:\d+:1: warning: themes has no fr label for "Health", used by 1 fr release: add `Health: \{ fr: \.\.\. \}` under terms\.themes \[translations\/term\]$/m,
    );
    expect(stale.stderr).not.toMatch(/"Displacement"/);

    const twins = await makeSite({
      'content/_data/site.yaml': trilingual,
      'content/news/a.md': release({ title: 'A', translationKey: 'a' }),
      'content/news/b.md': release({ title: 'B', translationKey: 'a' }),
      'content/news/c.md': release({ title: 'C', lang: 'de' }),
      'content/pages/about.md': '---\ntitle: À propos\nlang: fr\n---\n\nTexte.\n',
    });
    const run = await cli('check', '--root', twins);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^content\/news\/b\.md:6:1: translationKey a already joins content\/news\/a\.md, also in en/m,
    );
    expect(run.stderr).toMatch(/^content\/news\/c\.md:6:1: lang de is not one of the site's languages \(en, fr, es\)/m);
    expect(run.stderr).toMatch(
      /^content\/pages\/about\.md:3:1: this page is in the default language folder but says lang fr: move it in content\/pages\/fr\//m,
    );
  });

  it('require every interface string in every language of the site, naming the line', async () => {
    const root = await makeSite({
      'content/_data/site.yaml': `${SITE_YAML}languages: [en, fr]\n`,
      'content/_data/translations.yaml':
        'languages:\n  en: { name: English }\n  fr: { name: Français }\nstrings:\n  home:\n    en: Home\n',
    });
    const run = await cli('check', '--root', root);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^content\/_data\/translations\.yaml:5:3: "home" has no text in fr: add `fr: \.\.\.`/m);
    expect(run.stderr).toMatch(
      /^content\/_data\/translations\.yaml:4:1: strings has no "news", which the generator needs/m,
    );
  });

  it('serve each language its own 404 page in the dev server', async () => {
    const root = await makeSite({ 'content/_data/site.yaml': `${SITE_YAML}languages: [en, fr]\n` });
    const session = await DevSession.start({
      root,
      host: '127.0.0.1',
      port: 0,
      includeDrafts: false,
      now: new Date(NOW),
      watch: false,
      streams: { out: () => {}, err: () => {} },
    });
    try {
      const fr = await fetch(new URL('/fr/nulle-part/', session.url));
      expect(fr.status).toBe(404);
      expect(load(await fr.text())('html').attr('lang')).toBe('fr');
      const en = await fetch(new URL('/nowhere/', session.url));
      expect(en.status).toBe(404);
      expect(load(await en.text())('h1').text()).toBe('Page not found');
    } finally {
      await session.close();
    }
  });
});

describe('search', () => {
  it('is indexed by builds running at the same time in one process, each its own', async () => {
    const sites = await Promise.all(
      ['Alpha', 'Beta', 'Gamma'].map((word) =>
        makeSite({ 'content/news/a.md': release({ title: `${word} Release` }) }),
      ),
    );
    const runs = await Promise.all(sites.map((root) => buildSite(root)));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    for (const root of sites) expect(await searchPages(path.join(root, 'dist'))).toEqual({ en: 1 });
  });

  it('lists no shard, and makes no bundle, when no release is published', async () => {
    const root = await makeSite({ 'content/news/a.md': release({ title: 'Not Yet', draft: 'true' }) });
    expect((await buildSite(root)).code).toBe(0);
    const dist = path.join(root, 'dist');
    expect(await readdir(path.join(dist, 'pagefind'))).toEqual(['shards.json']);
    expect(await readFile(path.join(dist, 'pagefind/shards.json'), 'utf8')).toBe('{"shards":[]}\n');
  });

  it('indexes the published releases of each language with Pagefind, one bundle a year, and nothing else', async () => {
    expect(files).toContain('pagefind/shards.json');
    expect(files).toContain('pagefind/2025/pagefind.js');
    expect(files).toContain('search/index.html');
    expect(files).toContain('fr/search/index.html');
    // Each year's bundle holds exactly that year's published releases, by language.
    const expected = new Map<string, Record<string, number>>();
    for (const r of published) {
      const counts = expected.get(r.date.slice(0, 4)) ?? {};
      counts[r.lang] = (counts[r.lang] ?? 0) + 1;
      expected.set(r.date.slice(0, 4), counts);
    }
    expect(Object.fromEntries(await searchShards(out))).toEqual(Object.fromEntries(expected));
    const $ = html('/search/');
    expect($('script[type="module"][src^="/js/search."][src$=".js"]')).toHaveLength(1);
    expect(files.some((f) => /pagefind-ui|pagefind-highlight|wasm\.unknown/.test(f))).toBe(false);
    expect($('form[role="search"] input[name="q"]')).toHaveLength(1);
    expect($('select[data-filter="theme"], select[data-filter="region"], select[data-filter="year"]')).toHaveLength(3);
  });
});
