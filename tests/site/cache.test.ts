import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { generateSite } from '../../bench/generate-site.mjs';
import { type BuildOptions, build } from '../../src/build.js';
import { BuildCache } from '../../src/build-cache.js';
import { DiskCache } from '../../src/cache/disk-cache.js';
import type { SourceFile } from '../../src/content/discover.js';
import { DEFAULT_LIMITS } from '../../src/content/limits.js';
import { SearchIndexer } from '../../src/output/search-index.js';
import { tempDir } from '../helpers/site.js';

const NOW = new Date('2026-11-27T09:00:00Z');

/** Waits until files written so far are old enough for their stats to be trusted (see siteStamp). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 2_100));

/** Every file below `dir`, path -> SHA-256 of its bytes (compared as strings: deep equality of buffers is slow). */
async function tree(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  const hash = async (f: string) =>
    createHash('sha256')
      .update(await readFile(f))
      .digest('hex');
  return new Map(await Promise.all(files.map(async (f) => [path.relative(dir, f), await hash(f)] as const)));
}

/** The cache entries of one section, as absolute paths. */
async function entries(cacheDir: string, section: string): Promise<string[]> {
  const found = await readdir(path.join(cacheDir, section), { recursive: true, withFileTypes: true });
  return found.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** A generated site; 300 releases are enough that loading and rendering go to the worker threads. */
async function site(releases = 60): Promise<string> {
  const root = await tempDir();
  await generateSite(root, releases);
  return root;
}

const options = (root: string, out: string, cacheDir?: string): BuildOptions => ({
  root,
  out,
  cacheDir,
  includeDrafts: false,
  now: NOW,
  write: true,
  search: false,
});

describe('the persistent cache of loaded files', () => {
  it('gives the same output as a build without it, cold and warm, and serves every file from it when warm', async () => {
    const root = await site(300);
    const dir = await tempDir();
    const cacheDir = path.join(dir, 'cache');
    const plain = await build(options(root, path.join(dir, 'plain')));
    const cold = await build(options(root, path.join(dir, 'cold'), cacheDir));
    const warm = await build(options(root, path.join(dir, 'warm'), cacheDir));
    expect(plain.diagnostics).toEqual([]);
    expect(cold.stats.fromCache).toBe(0);
    expect(cold.stats.loaded).toBe(cold.stats.sources);
    expect(warm.stats.fromCache).toBe(warm.stats.sources);
    expect(warm.stats.loaded).toBe(0);
    const expected = await tree(path.join(dir, 'plain'));
    expect(expected.size).toBeGreaterThan(500);
    expect(await tree(path.join(dir, 'cold'))).toEqual(expected);
    expect(await tree(path.join(dir, 'warm'))).toEqual(expected);
    // Worker threads and the calling thread alone make the same bytes.
    await build({ ...options(root, path.join(dir, 'alone')), threads: 0 });
    expect(await tree(path.join(dir, 'alone'))).toEqual(expected);
  }, 120_000);

  it('is not used after a change to what rendering depends on: the base URL the site-links plugin gets', async () => {
    const root = await site();
    const dir = await tempDir();
    const cacheDir = path.join(dir, 'cache');
    await build(options(root, path.join(dir, 'first'), cacheDir));
    const config = path.join(root, 'content/_data/site.yaml');
    await writeFile(
      config,
      (await readFile(config, 'utf8')).replace(/^baseUrl: .*$/m, 'baseUrl: https://other.example.org/'),
    );
    const after = await build(options(root, path.join(dir, 'after'), cacheDir));
    expect(after.stats.fromCache).toBe(0);
    await build(options(root, path.join(dir, 'clean')));
    expect(await tree(path.join(dir, 'after'))).toEqual(await tree(path.join(dir, 'clean')));
  });

  it('detects damaged entries, never serves them, and makes them again (on both threads)', async () => {
    const root = await site(300);
    const dir = await tempDir();
    const cacheDir = path.join(dir, 'cache');
    // Old enough for their stats to be trusted: the first build indexes every file, and the next one takes them all
    // from its load index, finding the damaged bodies only when rendering; it then loads everything again, which
    // finds, counts and remakes them.
    await settle();
    await build(options(root, path.join(dir, 'first'), cacheDir));
    // Every other entry damaged, three ways: too many for the main thread's first lookups to call the build warm,
    // so it looks up the first files itself and hands the rest to the worker threads, which must find theirs too.
    const damaged = (await entries(cacheDir, 'release')).filter((_, i) => i % 2 === 0);
    for (const [i, entry] of damaged.entries()) {
      const bytes = await readFile(entry);
      if (i % 3 === 0) {
        // A byte of the value, not of the header: the checksum is what must catch it.
        bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0xff;
        await writeFile(entry, bytes);
      } else if (i % 3 === 1) {
        await writeFile(entry, bytes.subarray(0, 40));
      } else {
        await writeFile(entry, '');
      }
    }
    expect(damaged.length).toBeGreaterThan(100);
    const again = await build(options(root, path.join(dir, 'again'), cacheDir));
    expect(again.stats.corrupt).toBe(damaged.length);
    expect(again.stats.loaded).toBe(damaged.length);
    await build(options(root, path.join(dir, 'clean')));
    expect(await tree(path.join(dir, 'again'))).toEqual(await tree(path.join(dir, 'clean')));
    // Made again: the next build finds all of them whole.
    const third = await build(options(root, path.join(dir, 'third'), cacheDir));
    expect(third.stats.corrupt).toBe(0);
    expect(third.stats.fromCache).toBe(third.stats.sources);
  }, 60_000);

  it('takes unchanged files from its index without reading them, and reads the edited one', async () => {
    const root = await site(300);
    const dir = await tempDir();
    const cacheDir = path.join(dir, 'cache');
    const out = path.join(dir, 'out');
    // Files changed within the last two seconds are not trusted by their stats: a fresh site is read in full.
    expect((await build(options(root, out, cacheDir))).stats.indexed).toBe(0);
    await settle();
    expect((await build(options(root, out, cacheDir))).stats.indexed).toBe(0);
    const [first = '', second = ''] = (await readdir(path.join(root, 'content/news/2020'))).filter((f) =>
      f.endsWith('.md'),
    );
    // Touched (same bytes): its stat changed, so it is read again, and found in the cache by its content.
    const touched = path.join(root, 'content/news/2020', first);
    await writeFile(touched, await readFile(touched));
    const warm = await build(options(root, out, cacheDir));
    expect(warm.stats).toMatchObject({ loaded: 0, fromCache: warm.stats.sources, indexed: warm.stats.sources - 1 });
    await settle();
    const edited = path.join(root, 'content/news/2020', second);
    await writeFile(edited, (await readFile(edited, 'utf8')).replace(/\n\n(\w)/, '\n\nEdited. $1'));
    const after = await build(options(root, out, cacheDir));
    // The touched file was too recent to be indexed by the last build: it is read again too.
    expect(after.stats).toMatchObject({ loaded: 1, indexed: after.stats.sources - 2 });
    await build(options(root, path.join(dir, 'clean')));
    expect(await tree(out)).toEqual(await tree(path.join(dir, 'clean')));
    // Under other load settings (the base URL) the index is not used.
    const config = path.join(root, 'content/_data/site.yaml');
    await writeFile(config, (await readFile(config, 'utf8')).replace(/^baseUrl: .*$/m, 'baseUrl: https://x.example/'));
    const moved = await build(options(root, out, cacheDir));
    expect(moved.stats).toMatchObject({ indexed: 0, fromCache: 0 });
  }, 120_000);

  it('is keyed by the pipeline fingerprint: another version of the pipeline finds nothing', async () => {
    const dir = await tempDir();
    const sources: SourceFile[] = [
      { path: 'content/news/a.md', text: '---\ntitle: A\ndate: 2020-01-02\n---\n\nBody *a*.\n' },
      { path: 'content/news/b.md', text: '---\ntitle: B\ndate: 2020-01-03\n---\n\nBody *b*.\n' },
    ];
    const settings = {
      defaultLanguage: 'en',
      languages: ['en'],
      baseUrl: 'https://x.org',
      assets: [],
      limits: DEFAULT_LIMITS,
    };
    const load = async (fingerprint: string) => {
      const cache = new BuildCache({ disk: new DiskCache(dir), fingerprint, threads: 0 });
      const results = await cache.load('release', sources, settings);
      return { results, counts: cache.counts };
    };
    const first = await load('remark-gfm@4.0.1');
    expect(first.counts).toEqual({ loaded: 2, fromDisk: 0, indexed: 0 });
    const same = await load('remark-gfm@4.0.1');
    expect(same.counts).toEqual({ loaded: 0, fromDisk: 2, indexed: 0 });
    expect(same.results).toEqual(first.results);
    expect((await load('remark-gfm@4.0.2')).counts).toEqual({ loaded: 2, fromDisk: 0, indexed: 0 });
    await rm(dir, { recursive: true });
    expect((await load('remark-gfm@4.0.1')).counts).toEqual({ loaded: 2, fromDisk: 0, indexed: 0 });
  });
});

describe('unchanged output files', () => {
  it('are hard-linked from the previous output, not written again; changed ones are written', async () => {
    const root = await site();
    const dir = await tempDir();
    const out = path.join(dir, 'out');
    const compressed = { ...options(root, out, path.join(dir, 'cache')), compress: true };
    await build(compressed);
    const inodes = async () => {
      const found = await readdir(out, { recursive: true, withFileTypes: true });
      const files = found.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
      return new Map(await Promise.all(files.map(async (f) => [path.relative(out, f), (await stat(f)).ino] as const)));
    };
    const before = await inodes();
    const [edited] = (await readdir(path.join(root, 'content/news'), { recursive: true })).filter((f) =>
      f.endsWith('.md'),
    ) as [string];
    const file = path.join(root, 'content/news', edited);
    await writeFile(file, (await readFile(file, 'utf8')).replace(/\n\n([A-Z])/, '\n\nEdited. $1'));
    const again = await build(compressed);
    const after = await inodes();
    const slug = path.basename(edited, '.md');
    const changed = [...after].filter(([f, ino]) => before.get(f) !== ino).map(([f]) => f);
    // The edited release's page and its compressed copies are new files; so are the manifest and the marker.
    expect(changed).toEqual(expect.arrayContaining([`news/${slug}/index.html`, `news/${slug}/index.html.br`]));
    expect(changed.length).toBeLessThan(after.size / 10);
    expect(again.stats.unchanged).toBe(after.size - changed.length);
    expect(again.stats.written).toBe(changed.length);
    await build({ ...compressed, out: path.join(dir, 'clean'), cacheDir: undefined });
    expect(await tree(out)).toEqual(await tree(path.join(dir, 'clean')));
  });
});

describe('builds over the previous output', () => {
  /** Replaces `from` with `to` in a file of the site, failing when `from` is not there. */
  async function edit(root: string, file: string, from: string | RegExp, to: string): Promise<void> {
    const full = path.join(root, file);
    const text = await readFile(full, 'utf8');
    const next = text.replace(from, to);
    expect(next, `${file} has ${String(from)}`).not.toBe(text);
    await writeFile(full, next);
  }

  it('render only what changed, and the output equals a clean build after every kind of edit', async () => {
    const root = await site(40);
    const dir = await tempDir();
    const out = path.join(dir, 'out');
    const cacheDir = path.join(dir, 'cache');
    const releases = (await readdir(path.join(root, 'content/news'), { recursive: true }))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `content/news/${f}`);
    const [first = '', second = '', third = ''] = releases;
    const steps: [string, () => Promise<void>][] = [
      ['nothing', async () => undefined],
      ['a release body', () => edit(root, first, /\n\n([A-Z])/, '\n\nEdited today. $1')],
      ['a release title', () => edit(root, second, /^title: .*$/m, 'title: A New Title For This Release')],
      ['a partial template', () => edit(root, 'templates/partials/nav.njk', /<nav/, '<!-- edited --><nav')],
      ['a stylesheet (its fingerprint)', () => edit(root, 'public/css/site.css', /$/, '\n/* edited */\n')],
      ['a navigation label', () => edit(root, 'content/_data/navigation.yaml', 'label: Who we are', 'label: About')],
      ['the site title', () => edit(root, 'content/_data/site.yaml', /^title: .*$/m, 'title: Another Newsroom')],
      ['a removed release', () => rm(path.join(root, third))],
      [
        'an added release',
        async () => writeFile(path.join(root, 'content/news/added.md'), await readFile(path.join(root, first))),
      ],
    ];
    await build(options(root, out, cacheDir));
    let previous = 0;
    for (const [what, change] of steps) {
      await change();
      const built = await build(options(root, out, cacheDir));
      const clean = path.join(dir, `clean-${previous++}`);
      const fresh = await build(options(root, clean));
      expect(built.diagnostics, what).toEqual(fresh.diagnostics);
      expect(await tree(out), `after an edit of ${what}`).toEqual(await tree(clean));
      if (what === 'nothing') expect(built.stats.rendered).toBe(0);
      if (what === 'a release body') expect(built.stats.rendered).toBeLessThan(fresh.stats.rendered / 5);
    }
  }, 120_000);

  it('keep each year of the search index while none of its releases changed, and index again only the changed years', async () => {
    const root = await site(30);
    const dir = await tempDir();
    const out = path.join(dir, 'out');
    const withSearch = { ...options(root, out, path.join(dir, 'cache')), search: true };
    /** The search index's files: path -> [hash, inode]. */
    const index = async () => {
      const found = new Map<string, [string, number]>();
      for (const [f, hash] of await tree(out)) {
        if (f.startsWith('pagefind/')) found.set(f, [hash, (await stat(path.join(out, f))).ino]);
      }
      return found;
    };
    const shards = async () =>
      (
        JSON.parse(await readFile(path.join(out, 'pagefind/shards.json'), 'utf8')) as { shards: { year: string }[] }
      ).shards.map((s) => s.year);
    /** The files that differ from `before` (added, removed or other bytes), and whether each kept its inode. */
    const changes = (before: Map<string, [string, number]>, after: Map<string, [string, number]>) => {
      const paths = new Set([...before.keys(), ...after.keys()]);
      const changed = [...paths].filter((f) => before.get(f)?.[0] !== after.get(f)?.[0]);
      const relinked = [...paths].filter(
        (f) => before.get(f) && after.get(f) && before.get(f)?.[1] !== after.get(f)?.[1],
      );
      return { changed, relinked };
    };
    const clean = async (name: string) => {
      await build({ ...withSearch, out: path.join(dir, name), cacheDir: undefined });
      expect(await tree(out), `after ${name}`).toEqual(await tree(path.join(dir, name)));
    };
    const inYear = async (year: string) =>
      (await readdir(path.join(root, 'content/news', year)))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `content/news/${year}/${f}`);

    const opened = vi.spyOn(SearchIndexer, 'open');
    /** The shards the last build indexed (none when it opened no indexer). */
    const indexed = () => opened.mock.calls.at(-1)?.[0] ?? [];
    await build(withSearch);
    expect(indexed()).toHaveLength(19);
    const first = await index();
    // 30 releases over 2008-2026: one shard a year, newest first.
    expect(await shards()).toEqual(Array.from({ length: 19 }, (_, i) => String(2026 - i)));
    expect([...first.keys()].filter((f) => f.startsWith('pagefind/2015/')).length).toBeGreaterThan(5);
    const again = await build(withSearch);
    expect(again.stats.rendered).toBe(0);
    expect(opened).toHaveBeenCalledTimes(1);
    expect(changes(first, await index())).toEqual({ changed: [], relinked: [] });

    // A word added to a release of 2015: only that year's bundle is made again; the others keep their inodes.
    const [of2015 = ''] = await inYear('2015');
    await edit(root, of2015, /\n\n([A-Z])/, '\n\nZanzibarian syzygy. $1');
    await build(withSearch);
    expect(indexed()).toEqual(['2015']);
    const edited = await index();
    const body = changes(first, edited);
    expect(body.changed.length).toBeGreaterThan(0);
    expect(body.changed.filter((f) => !f.startsWith('pagefind/2015/'))).toEqual([]);
    expect(body.relinked.filter((f) => !f.startsWith('pagefind/2015/'))).toEqual([]);
    await clean('clean-body');

    // A release moved from 2010 to 2012: both years change, no other.
    const [of2010 = ''] = await inYear('2010');
    await edit(root, of2010, /^date: 2010-/m, 'date: 2012-');
    await build(withSearch);
    const moved = changes(edited, await index());
    expect(new Set(moved.changed.map((f) => f.split('/')[1]))).toEqual(new Set(['2010', '2012']));
    await clean('clean-moved');

    // Every release of 2008 gone: its shard goes, and the list says so.
    for (const file of await inYear('2008')) await rm(path.join(root, file));
    await build(withSearch);
    expect(await shards()).not.toContain('2008');
    expect([...(await index()).keys()].filter((f) => f.startsWith('pagefind/2008/'))).toEqual([]);
    await clean('clean-removed');
    opened.mockRestore();
  }, 120_000);
});

describe('a build with nothing to do', () => {
  it('leaves the output untouched, says the same diagnostics, and notices touches, new files and embargoes', async () => {
    const root = await site(20);
    const dir = await tempDir();
    const out = path.join(dir, 'out');
    const cacheDir = path.join(dir, 'cache');
    const embargoed = path.join(root, 'content/news/held.md');
    await writeFile(
      embargoed,
      '---\ntitle: Held Until Noon\ndate: 2026-11-27\nembargo: 2026-11-27T12:00:00Z\n---\n\nHeld.\n',
    );
    const future = path.join(root, 'content/news/future.md');
    await writeFile(future, '---\ntitle: Dated Next Year\ndate: 2027-01-05\n---\n\nSoon.\n');
    const first = await build(options(root, out, cacheDir));
    expect(first.diagnostics.map((d) => d.rule)).toContain('publication/future-date');
    const manifest = await readFile(path.join(out, '.newsroom/manifest.json'));
    const again = await build(options(root, out, cacheDir));
    expect(again.stats).toMatchObject({ rendered: 0, written: 0, loaded: 0, pages: first.stats.pages });
    expect(again.diagnostics).toEqual(first.diagnostics);
    expect(await readFile(path.join(out, '.newsroom/manifest.json'))).toEqual(manifest);
    // An edit of the same size within the same clock tick leaves size and times alike: files changed this recently
    // are stamped by their content, so the build runs.
    const [release = ''] = (await readdir(path.join(root, 'content/news/2020'))).filter((f) => f.endsWith('.md'));
    const edited = path.join(root, 'content/news/2020', release);
    const text = await readFile(edited, 'utf8');
    await writeFile(
      edited,
      text.replace(/\n\n(\w)/, (_, c: string) => `\n\n${c === 'X' ? 'Y' : 'X'}`),
    );
    const afterEdit = await build(options(root, out, cacheDir));
    expect(afterEdit.stats.loaded).toBe(1);
    expect(afterEdit.stats.rendered).toBeGreaterThan(0);
    await writeFile(edited, text);
    // Past the embargo: the held release is published, as a clean build at that time does.
    const noon = { ...options(root, out, cacheDir), now: new Date('2026-11-27T12:00:00Z') };
    const lifted = await build(noon);
    expect(lifted.stats.rendered).toBeGreaterThan(0);
    expect(lifted.routes.some((r) => r.url === '/news/held/')).toBe(true);
    await build({ ...noon, out: path.join(dir, 'clean'), cacheDir: undefined });
    expect(await tree(out)).toEqual(await tree(path.join(dir, 'clean')));
    // A new file is seen too.
    await writeFile(path.join(root, 'content/news/new.md'), '---\ntitle: Brand New\ndate: 2026-11-01\n---\n\nNew.\n');
    const added = await build(noon);
    expect(added.routes.some((r) => r.url === '/news/new/')).toBe(true);
  });
});
