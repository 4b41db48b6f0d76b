import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { type Manifest, parseManifest } from '../../src/publish/manifest.js';
import { HEADER_POLICY } from '../../src/render/content-security-policy.js';
import { matches, parseHeaders } from '../helpers/headers-rules.js';
import { buildSite, cli, makeSite, REPO, release, SITE_YAML, tempDir } from '../helpers/site.js';

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** Every file below `dir` except Newsroom's own `.newsroom/`, relative, sorted. */
async function outputFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((f) => !f.startsWith('.newsroom/'))
    .sort();
}

async function manifestOf(out: string): Promise<Manifest> {
  return parseManifest(await readFile(path.join(out, '.newsroom/manifest.json'), 'utf8'), 'manifest');
}

/** The URL a reader requests for an output file: `news/x/index.html` -> `/news/x/`. */
const urlOf = (file: string, basePath = ''): string => `${basePath}/${file.replace(/(^|\/)index\.html$/, '$1')}`;

const BEIJING_SOURCE = 'content/news/2012/iom-works-china-strengthen-border-management-protect-trafficking-victims.md';

const STYLE_SITE = {
  'public/css/site.css': '@import "parts/type.css";\nbody { background: url(../images/bg.png) no-repeat; }\n',
  'public/css/parts/type.css':
    '@font-face { font-family: Body; src: url("/fonts/body.woff2") format("woff2"); }\n.x { background: url(/images/missing.png); }\n',
  'public/fonts/body.woff2': 'font bytes v1',
  'public/images/bg.png': 'png bytes',
  'public/images/unused.png': 'nobody refers to me',
  'public/files/report.pdf': 'a pdf',
  'content/news/a.md': release({ title: 'A Release', slug: 'a' }, 'See the [report](/files/report.pdf).\n'),
};

describe('asset fingerprinting', () => {
  it('renames what pages and stylesheets use, rewrites url() and @import, and keeps other names', async () => {
    const root = await makeSite(STYLE_SITE);
    const run = await buildSite(root);
    expect(run.code, run.stderr).toBe(0);
    const out = path.join(root, 'dist');
    const files = await outputFiles(out);
    const named = (pattern: RegExp) => files.filter((f) => pattern.test(f));

    const font = await readFile(path.join(out, named(/^fonts\/body\.[0-9a-f]{8}\.woff2$/)[0] ?? 'none'), 'utf8');
    expect(font).toBe('font bytes v1');
    expect(named(/^images\/bg\.[0-9a-f]{8}\.png$/)).toHaveLength(1);
    // Nobody refers to these, or they are not a fingerprinted type: they keep their names.
    expect(files).toContain('images/unused.png');
    expect(files).toContain('files/report.pdf');
    expect(files).not.toContain('css/site.css');

    const [site] = named(/^css\/site\.[0-9a-f]{8}\.css$/);
    const [type] = named(/^css\/parts\/type\.[0-9a-f]{8}\.css$/);
    const siteCss = await readFile(path.join(out, site ?? ''), 'utf8');
    const typeCss = await readFile(path.join(out, type ?? ''), 'utf8');
    // Relative references stay relative; site-relative ones stay site-relative; the rest of the text is kept.
    expect(siteCss).toBe(
      `@import "${path.posix.relative('css', type ?? '')}";\nbody { background: url("../${named(/^images\/bg\./)[0]}") no-repeat; }\n`,
    );
    expect(typeCss).toContain(`src: url("/${named(/^fonts\/body\./)[0]}") format("woff2")`);
    // A file is named after the hash of the bytes written.
    expect(site).toBe(`css/site.${sha256(siteCss).slice(0, 8)}.css`);
    // A reference to nothing is reported where it is written, and left as it is.
    expect(run.stderr).toMatch(
      /public\/css\/parts\/type\.css:2:18: warning: \/images\/missing\.png names no file in public\/: add the file or fix the path/,
    );
    expect(typeCss).toContain('url(/images/missing.png)');

    const $ = load(await readFile(path.join(out, 'news/a/index.html'), 'utf8'));
    expect($('link[rel="stylesheet"]').attr('href')).toBe(`/${site}`);
    expect($('a[href$=".pdf"]').attr('href')).toBe('/files/report.pdf');
  });

  it('gives a stylesheet a new name when a font it uses changes, and the pages follow', async () => {
    const root = await makeSite(STYLE_SITE);
    expect((await buildSite(root)).code).toBe(0);
    const before = (await outputFiles(path.join(root, 'dist'))).filter((f) => f.startsWith('css/'));
    await writeFile(path.join(root, 'public/fonts/body.woff2'), 'font bytes v2');
    expect((await buildSite(root)).code).toBe(0);
    const after = (await outputFiles(path.join(root, 'dist'))).filter((f) => f.startsWith('css/'));
    expect(after).toHaveLength(2);
    expect(after.filter((f) => before.includes(f))).toEqual([]);
    const $ = load(await readFile(path.join(root, 'dist/news/a/index.html'), 'utf8'));
    expect(after).toContain($('link[rel="stylesheet"]').attr('href')?.slice(1));
  });
});

describe('cache headers and the manifest', () => {
  it('lists every output file with its hash, size, type, Cache-Control, kind and sources', async () => {
    const out = path.join(await tempDir(), 'dist');
    expect((await cli('build', '--root', REPO, '--out', out, '--now', '2026-11-27T00:00:00Z')).code).toBe(0);
    const manifest = await manifestOf(out);
    expect(manifest.files.map((f) => f.path)).toEqual(await outputFiles(out));
    for (const entry of manifest.files) {
      const bytes = await readFile(path.join(out, entry.path));
      expect([entry.sha256, entry.size], entry.path).toEqual([sha256(bytes), bytes.byteLength]);
    }
    const entry = (p: string) => manifest.files.find((f) => f.path === p);
    const beijing = 'news/iom-works-china-strengthen-border-management-protect-trafficking-victims/index.html';
    expect(entry(beijing)).toMatchObject({
      type: 'text/html; charset=utf-8',
      cacheControl: 'public, max-age=300, must-revalidate',
      kind: 'page',
      sources: [BEIJING_SOURCE],
    });
    const css = manifest.files.find((f) => /^css\/site\.[0-9a-f]{8}\.css$/.test(f.path));
    expect(css).toMatchObject({
      type: 'text/css; charset=utf-8',
      cacheControl: 'public, max-age=31536000, immutable',
      kind: 'fingerprinted',
      sources: ['public/css/site.css'],
    });
    expect(entry('news/feed.xml')).toMatchObject({ type: 'application/rss+xml; charset=utf-8', kind: 'feed' });
    expect(entry('news/feed.xml')?.sources).toContain(BEIJING_SOURCE);
    expect(entry('news/feed.json')?.type).toBe('application/feed+json; charset=utf-8');
    expect(entry('sitemap.xml')).toMatchObject({ kind: 'feed', cacheControl: 'public, max-age=300, must-revalidate' });
    // Pagefind names its index files by their content, in every year's bundle: immutable; its loader, its entry
    // file and the list of shards are not.
    const hashed = manifest.files.filter((f) => /^pagefind\/\d{4}\/.*\.pf_(fragment|meta)$/.test(f.path));
    expect(new Set(hashed.map((f) => f.path.split('/')[1])).size).toBeGreaterThan(10);
    expect(hashed.every((f) => f.kind === 'fingerprinted')).toBe(true);
    expect(entry('pagefind/2025/pagefind.js')).toMatchObject({ kind: 'file', type: 'text/javascript; charset=utf-8' });
    expect(entry('pagefind/2025/pagefind-entry.json')).toMatchObject({ kind: 'file' });
    expect(entry('pagefind/shards.json')).toMatchObject({ kind: 'file', type: 'application/json; charset=utf-8' });
    expect(manifest).toMatchObject({ now: '2026-11-27T00:00:00.000Z', baseUrl: 'https://newsroom.example.org' });
  });

  it('is identical for two builds of the same input', async () => {
    const [a, b] = [path.join(await tempDir(), 'a'), path.join(await tempDir(), 'b')];
    for (const out of [a, b]) {
      const run = await cli('build', '--root', REPO, '--out', out, '--now', '2026-11-27T00:00:00Z', '--compress');
      expect(run.code, run.stderr).toBe(0);
    }
    const text = (dir: string) => readFile(path.join(dir, '.newsroom/manifest.json'), 'utf8');
    expect(await text(a)).toBe(await text(b));
  });

  it('writes _headers where exactly one rule gives each file the Cache-Control of the manifest', async () => {
    const root = await makeSite({
      ...STYLE_SITE,
      // A release of another year: two shards of the search index, each a folder mixing hashed and other files.
      'content/news/b.md': release({ title: 'B Release', slug: 'b', date: '2019-05-01' }),
      'content/_data/site.yaml': `${SITE_YAML.replace('https://news.example.org/', 'https://news.example.org/newsroom/')}cacheControl:\n  pages: public, max-age=60\n`,
    });
    const run = await buildSite(root);
    expect(run.code, run.stderr).toBe(0);
    const out = path.join(root, 'dist');
    const manifest = await manifestOf(out);
    const rules = parseHeaders(await readFile(path.join(out, '_headers'), 'utf8'));
    expect(rules.filter((r) => r.pattern === '/newsroom/*').flatMap((r) => r.headers)).toEqual([
      ['X-Content-Type-Options', 'nosniff'],
      ['Content-Security-Policy', HEADER_POLICY],
    ]);
    expect(manifest.files.find((f) => f.path === 'news/a/index.html')?.cacheControl).toBe('public, max-age=60');
    expect(manifest.files.filter((f) => /^pagefind\/(2019|2020)\/pagefind\.js$/.test(f.path))).toHaveLength(2);
    // Netlify and Cloudflare read these two files; they never serve them.
    for (const file of manifest.files.filter((f) => !['_headers', '_redirects'].includes(f.path))) {
      const url = urlOf(file.path, '/newsroom');
      const values = rules
        .filter((r) => matches(r.pattern, url))
        .flatMap((r) => r.headers.filter(([name]) => name === 'Cache-Control').map(([, value]) => value));
      // The shards' own fingerprinted file (one name each) has no rule: the host's default revalidates it.
      const shardsOwn = /^pagefind\/[^/]+\/[^/]+\.pf_meta$/.test(file.path);
      expect(values, url).toEqual(shardsOwn ? [] : [file.cacheControl]);
    }
    // The shards share their rules: as many rules for two years as there would be for twenty.
    expect(rules.filter((r) => r.pattern.includes('/pagefind/:shard/')).length).toBeGreaterThan(3);
    expect(rules.some((r) => /\/pagefind\/20\d\d\//.test(r.pattern))).toBe(false);
  });

  it('rejects a Cache-Control value that would break the _headers file', async () => {
    const root = await makeSite({
      'content/_data/site.yaml': `${SITE_YAML}cacheControl:\n  pages: "max-age=60\\nSet-Cookie: x=1"\n`,
    });
    const run = await cli('check', '--root', root);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/site\.yaml:\d+:\d+: cacheControl\.pages must be one line of plain ASCII/);
  });
});

describe('aliases and redirects', () => {
  const site = () =>
    makeSite({
      'content/_data/site.yaml': `${SITE_YAML.replace('https://news.example.org/', 'https://news.example.org/newsroom/')}languages: [en, fr]\n`,
      'content/news/a.md': release({ title: 'Moved Release', slug: 'a', aliases: '[/news/old-a, /archive/a.html]' }),
    });

  it('answers each old URL with a redirect page and a _redirects rule, under the base path', async () => {
    const root = await site();
    const run = await buildSite(root);
    expect(run.code, run.stderr).toBe(0);
    const out = path.join(root, 'dist');
    for (const file of ['news/old-a/index.html', 'archive/a.html']) {
      const $ = load(await readFile(path.join(out, file), 'utf8'));
      expect($('link[rel="canonical"]').attr('href')).toBe('https://news.example.org/newsroom/news/a/');
      expect($('meta[http-equiv="refresh"]').attr('content')).toBe('0; url=/newsroom/news/a/');
      expect($('meta[name="robots"]').attr('content')).toBe('noindex');
      expect($('a').attr('href')).toBe('/newsroom/news/a/');
    }
    const redirects = (await readFile(path.join(out, '_redirects'), 'utf8'))
      .split('\n')
      .filter((l) => !l.startsWith('#'));
    expect(redirects).toEqual([
      '/newsroom/archive/a.html /newsroom/news/a/ 301',
      '/newsroom/news/old-a/ /newsroom/news/a/ 301',
      '/newsroom/fr/* /newsroom/fr/404.html 404',
      '/newsroom/* /newsroom/404.html 404',
      '',
    ]);
    // Redirect pages are pages (HTML whatever their name), never in the sitemap.
    const manifest = await manifestOf(out);
    expect(manifest.files.find((f) => f.path === 'archive/a.html')).toMatchObject({
      kind: 'page',
      type: 'text/html; charset=utf-8',
      sources: ['content/news/a.md'],
    });
    expect(await readFile(path.join(out, 'sitemap.xml'), 'utf8')).not.toContain('old-a');
  });

  it('reports an alias that takes another page’s URL, and one that is not a path, on its line', async () => {
    const root = await makeSite({
      'content/news/a.md': release({ title: 'A', slug: 'a' }),
      'content/news/b.md': release({ title: 'B', slug: 'b', aliases: '\n  - /news/old-b/\n  - /news/a/' }),
      'content/news/c.md': release({ title: 'C', slug: 'c', aliases: '\n  - /news/old-c/\n  - "javascript:alert(1)"' }),
      // `_redirects` would read these as patterns matching other pages' URLs.
      'content/news/d.md': release({ title: 'D', slug: 'd', aliases: '\n  - /news/*\n  - /news/:slug/' }),
    });
    const run = await cli('check', '--root', root);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /content\/news\/b\.md:9:1: news\/a\/index\.html is also produced by content\/news\/a\.md/,
    );
    expect(run.stderr).toMatch(/content\/news\/c\.md:9:\d+: an alias must be a path on this site/);
    expect(run.stderr).toMatch(/content\/news\/d\.md:8:\d+: an alias must be a path on this site/);
    expect(run.stderr).toMatch(/content\/news\/d\.md:9:\d+: an alias must be a path on this site/);
  });
});

describe('--compress', () => {
  it('writes .br and .gz copies of text files over 1 KB that decompress to the file, listed with their encoding', async () => {
    const root = await makeSite({ ...STYLE_SITE, 'public/css/small.css': 'a{}' });
    const run = await buildSite(root, '--compress');
    expect(run.code, run.stderr).toBe(0);
    const out = path.join(root, 'dist');
    const manifest = await manifestOf(out);
    const page = await readFile(path.join(out, 'news/a/index.html'));
    expect(page.byteLength).toBeGreaterThan(1024);
    expect(brotliDecompressSync(await readFile(path.join(out, 'news/a/index.html.br')))).toEqual(page);
    expect(gunzipSync(await readFile(path.join(out, 'news/a/index.html.gz')))).toEqual(page);
    expect(manifest.files.find((f) => f.path === 'news/a/index.html.br')).toMatchObject({
      type: 'text/html; charset=utf-8',
      encoding: 'br',
      kind: 'page',
      cacheControl: 'public, max-age=300, must-revalidate',
    });
    expect(manifest.files.find((f) => f.path === 'news/a/index.html.gz')?.encoding).toBe('gzip');
    // Small files and binary files are left alone.
    expect(existsSync(path.join(out, 'css/small.css.br'))).toBe(false);
    expect(manifest.files.some((f) => f.path.endsWith('.png.br') || f.path.endsWith('.woff2.gz'))).toBe(false);
    // Without the option, no copies.
    expect((await buildSite(root)).code).toBe(0);
    expect((await outputFiles(out)).filter((f) => /\.(br|gz)$/.test(f))).toEqual([]);
  });
});

describe('embargo', () => {
  const embargoed = () =>
    makeSite({
      'content/news/a.md': release({ title: 'Public Release', slug: 'public-release' }),
      'content/news/b.md': release({
        title: 'Held Release',
        slug: 'held-release',
        themes: '[Health]',
        embargo: '2026-12-01T09:00:00+02:00',
      }),
      'content/news/c.md': release({ title: 'Later Release', slug: 'later-release', embargo: '2027-03-01T00:00:00Z' }),
    });

  it('keeps a release out of every output file until --now passes its embargo, and names the next one', async () => {
    const root = await embargoed();
    // 06:30 UTC is 08:30 at +02:00: still before the embargo.
    const before = await buildSite(root, '--now', '2026-12-01T08:30:00+02:00');
    expect(before.code, before.stderr).toBe(0);
    const out = path.join(root, 'dist');
    const files = await outputFiles(out);
    for (const file of files) {
      const text = await readFile(path.join(out, file), 'latin1');
      expect(text.includes('held-release') || text.includes('Held Release'), file).toBe(false);
    }
    const manifest = await manifestOf(out);
    expect(manifest.nextBuildAt).toBe('2026-12-01T07:00:00.000Z');
    expect(manifest.now).toBe('2026-12-01T06:30:00.000Z');
    expect(JSON.stringify(manifest)).not.toContain('held-release');

    // 07:30 UTC is past 09:00+02:00: published everywhere, and the next embargo is the later one.
    expect((await buildSite(root, '--now', '2026-12-01T07:30:00Z')).code).toBe(0);
    const after = await manifestOf(out);
    expect(after.files.map((f) => f.path)).toContain('news/held-release/index.html');
    expect(await readFile(path.join(out, 'news/feed.xml'), 'utf8')).toContain('held-release');
    expect(await readFile(path.join(out, 'sitemap.xml'), 'utf8')).toContain('held-release');
    expect(after.nextBuildAt).toBe('2027-03-01T00:00:00.000Z');

    expect((await buildSite(root, '--now', '2027-03-01T00:00:00Z')).code).toBe(0);
    expect((await manifestOf(out)).nextBuildAt).toBeNull();
  });

  it('warns about a release dated in the future with no embargo, and publishes it', async () => {
    const root = await makeSite({
      'content/news/a.md': release({ title: 'Too Soon', slug: 'soon', date: '2026-06-01' }),
    });
    const run = await buildSite(root, '--now', '2026-05-31T12:00:00Z');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /content\/news\/a\.md:3:1: warning: date 2026-06-01 is in the future but there is no embargo, so the release is published now: add embargo: 2026-06-01T00:00:00Z/,
    );
    expect(existsSync(path.join(root, 'dist/news/soon/index.html'))).toBe(true);
  });
});
