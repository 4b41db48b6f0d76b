import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type CheerioAPI, load } from 'cheerio';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, REPO, tempDir } from '../helpers/site.js';

const BEIJING = 'news/iom-works-china-strengthen-border-management-protect-trafficking-victims/index.html';
const DRAFT = 'eu-and-iom-launch-talent-partnership-pilots';
const EMBARGOED = 'iom-report-maps-global-gaps-in-migration-data';

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
    ),
  );
  return nested.flat().sort();
}

let out: string;
let files: string[];
const pages = new Map<string, CheerioAPI>();
const html = (p: string): CheerioAPI => {
  const $ = pages.get(p);
  if (!$) throw new Error(`no page ${p}`);
  return $;
};

beforeAll(async () => {
  out = path.join(await tempDir(), 'site');
  const run = await cli('build', '--root', REPO, '--out', out, '--now', '2026-11-27T00:00:00Z');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  files = await listFiles(out);
  for (const f of files.filter((f) => f.endsWith('.html')))
    pages.set(f, load(await readFile(path.join(out, f), 'utf8')));
});

describe('the sample site', () => {
  it('has the Beijing release at the URL it has on IOM’s site, faithfully', () => {
    const $ = html(BEIJING);
    expect($('h1').text()).toBe('IOM Works with China to Strengthen Border Management, Protect Trafficking Victims');
    expect($('.release__meta time').attr('datetime')).toBe('2012-05-15');
    expect($('.release__meta time').text()).toBe('15 May 2012');
    expect($('.release__body p').first().text()).toMatch(/^BEIJING – IOM is today hosting a four-day workshop/);
    expect($('.release__body').text()).toContain('said IOM Beijing Head of Office Par Liljert');
    expect($('.contacts a[href^="mailto:"]').attr('href')).toBe('mailto:kgormanbest@iom.int');
    expect($('.contacts a[href^="tel:"]').attr('href')).toBe('tel:+861059799695;ext=203');
    expect($('.contacts').text()).toContain('Kieran Best');
    expect(
      $('.tags li')
        .map((_, el) => $(el).text())
        .get(),
    ).toEqual(['Counter-trafficking', 'Border management']);
    expect(
      $('nav[aria-label="Breadcrumb"] a')
        .map((_, el) => $(el).attr('href'))
        .get(),
    ).toEqual(['/', '/news/', '/news/iom-works-china-strengthen-border-management-protect-trafficking-victims/']);
  });

  it('shows a release image with its alt text, caption and credit', () => {
    const $ = html('news/iom-opens-primary-health-centres-for-rohingya-refugees-in-coxs-bazar/index.html');
    expect($('figure img').attr('src')).toMatch(/^\/images\/coxs-bazar-clinic\.[0-9a-f]{8}\.svg$/);
    expect($('figure img').attr('alt')).toMatch(/^Illustration of a small clinic tent/);
    expect($('figcaption').text()).toMatch(/primary health centres serve refugee families/);
    expect($('figcaption .credit').text()).toBe('© IOM 2017 (sample illustration)');
  });

  it('embeds NewsArticle JSON-LD that parses', () => {
    const data = JSON.parse(html(BEIJING)('script[type="application/ld+json"]').text()) as Record<string, unknown>;
    expect(data).toMatchObject({
      '@type': 'NewsArticle',
      headline: 'IOM Works with China to Strengthen Border Management, Protect Trafficking Victims',
      datePublished: '2012-05-15',
      locationCreated: { name: 'Beijing' },
    });
  });

  it('gives every page the landmarks, one h1, a skip link, lang and charset', () => {
    expect(pages.size).toBeGreaterThan(35);
    const languages = {
      en: { nav: 'Main', organisation: 'International Organization for Migration' },
      fr: { nav: 'Principale', organisation: 'Organisation internationale pour les migrations' },
      es: { nav: 'Principal', organisation: 'Organización Internacional para las Migraciones' },
    };
    for (const [file, $] of pages) {
      const lang = /^(fr|es)\//.exec(file)?.[1] ?? 'en';
      const expected = languages[lang as keyof typeof languages];
      expect($('h1'), file).toHaveLength(1);
      expect($('html').attr('lang'), file).toBe(lang);
      expect($('head meta').first().attr('charset'), file).toBe('utf-8');
      expect($('a.skip-link').attr('href'), file).toBe('#main');
      expect($('main#main'), file).toHaveLength(1);
      expect($(`header nav[aria-label="${expected.nav}"]`), file).toHaveLength(1);
      expect($('body > footer'), file).not.toHaveLength(0);
      expect($('title').text(), file).toMatch(new RegExp(` \\| ${expected.organisation}$`));
      const levels = $('h1, h2, h3, h4, h5, h6')
        .map((_, el) => Number(el.tagName.slice(1)))
        .get();
      levels.forEach((level, i) => {
        expect(level - (levels[i - 1] ?? 0), `${file}: heading levels ${levels.join(',')}`).toBeLessThanOrEqual(1);
      });
    }
  });

  it('links only to pages and files that exist', () => {
    const missing: string[] = [];
    for (const [file, $] of pages) {
      $('a[href^="/"], link[href^="/"], img[src^="/"]').each((_, el) => {
        const url = $(el).attr('href') ?? $(el).attr('src') ?? '';
        const target = decodeURI(url.split('#')[0] ?? '').replace(/^\//, '');
        const candidate = target === '' || target.endsWith('/') ? `${target}index.html` : target;
        if (!files.includes(candidate)) missing.push(`${file} -> ${url}`);
      });
    }
    expect(missing).toEqual([]);
  });

  it('has every navigation section as a real page, marked current where the reader is', () => {
    const $ = html('index.html');
    const targets = $('nav[aria-label="Main"] a')
      .map((_, el) => $(el).attr('href'))
      .get();
    expect(
      $('nav[aria-label="Main"] > ul > li > a')
        .map((_, el) => $(el).text())
        .get(),
    ).toEqual(['Who we are', 'Our Work', 'Where we work', 'Take Action', 'Data and Research', '2030 Agenda', 'News']);
    for (const url of targets.filter((u) => u !== '/news/')) {
      const page = html(`${url.slice(1)}index.html`);
      expect(page('main .prose').text().length, url).toBeGreaterThan(200);
      expect(page(`nav[aria-label="Main"] a[href="${url}"]`).attr('aria-current'), url).toBe('page');
    }
    expect(html('who-we-are/index.html')('main').text()).toContain(
      'with 175 member states and a presence in 171 countries',
    );
    expect(
      html('our-work/what-we-do/index.html')('nav[aria-label="Main"] a[href="/our-work/"]').attr('aria-current'),
    ).toBe('true');
  });

  it('lists releases newest first, 20 a page, without drafts or embargoed ones', () => {
    const first = html('news/index.html');
    const second = html('news/page/2/index.html');
    const dates = [...first('.card time').get(), ...second('.card time').get()].map(
      (el) => first(el).attr('datetime') ?? '',
    );
    expect(first('.card')).toHaveLength(20);
    expect(dates).toHaveLength(24);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(first('a[rel="next"]').attr('href')).toBe('/news/page/2/');
    expect(second('a[rel="prev"]').attr('href')).toBe('/news/');
    expect(files.some((f) => f.includes(DRAFT) || f.includes(EMBARGOED))).toBe(false);
    for (const [file, $] of pages) expect($.html(), file).not.toMatch(new RegExp(`${DRAFT}|${EMBARGOED}`));
  });

  it('has a home page with the latest releases and the organisation’s sections, and a 404 page', () => {
    const $ = html('index.html');
    expect($('.cards .card')).toHaveLength(6);
    expect(
      $('.sections a')
        .map((_, el) => $(el).attr('href'))
        .get(),
    ).toContain('/who-we-are/');
    expect(html('404.html')('h1').text()).toBe('Page not found');
  });

  it('publishes the public/ files pages use under content-hash names, with their bytes unchanged', async () => {
    const source = await readFile(path.join(REPO, 'public/css/site.css'));
    const hash = createHash('sha256').update(source).digest('hex').slice(0, 8);
    expect(files).toContain(`css/site.${hash}.css`);
    expect(files).not.toContain('css/site.css');
    expect(await readFile(path.join(out, `css/site.${hash}.css`))).toEqual(source);
    expect(html('index.html')('link[rel="stylesheet"]').attr('href')).toBe(`/css/site.${hash}.css`);
  });

  it('is byte-identical when built again with the same --now', async () => {
    const again = path.join(await tempDir(), 'again');
    expect((await cli('build', '--root', REPO, '--out', again, '--now', '2026-11-27T00:00:00Z')).code).toBe(0);
    const againFiles = await listFiles(again);
    expect(againFiles).toEqual(files);
    for (const f of files) {
      expect(await readFile(path.join(again, f)), f).toEqual(await readFile(path.join(out, f)));
    }
    // A whole build with its search index, beside the other test files' builds: 20 s on a busy 2-core machine.
  }, 60_000);

  it('shows the embargoed release once its embargo has passed, and drafts with --drafts', async () => {
    const later = path.join(await tempDir(), 'later');
    expect((await cli('build', '--root', REPO, '--out', later, '--now', '2030-01-01T08:00:00Z')).code).toBe(0);
    const lifted = load(await readFile(path.join(later, `news/${EMBARGOED}/index.html`), 'utf8'));
    expect(lifted('.preview-banner')).toHaveLength(0);

    const preview = path.join(await tempDir(), 'preview');
    expect(
      (await cli('build', '--root', REPO, '--out', preview, '--drafts', '--now', '2026-11-27T00:00:00Z')).code,
    ).toBe(0);
    const draft = load(await readFile(path.join(preview, `news/${DRAFT}/index.html`), 'utf8'));
    expect(draft('.preview-banner').text()).toMatch(/^DRAFT/);
    const embargoed = load(await readFile(path.join(preview, `news/${EMBARGOED}/index.html`), 'utf8'));
    expect(embargoed('.preview-banner').text()).toMatch(/^EMBARGOED UNTIL 2030-01-01T09:00:00\+01:00/);
  });

  it('uses --base-url for canonical links', async () => {
    const other = path.join(await tempDir(), 'other');
    const run = await cli('build', '--root', REPO, '--out', other, '--base-url', 'https://press.example.net/');
    expect(run.code).toBe(0);
    const $ = load(await readFile(path.join(other, BEIJING), 'utf8'));
    expect($('link[rel="canonical"]').attr('href')).toBe(
      'https://press.example.net/news/iom-works-china-strengthen-border-management-protect-trafficking-victims/',
    );
  });
});
