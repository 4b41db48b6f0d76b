import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { load } from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_KINDS, MANIFEST_PATH, type Manifest, RETAINED_PATH, readManifest } from '../../src/publish/manifest.js';
import { newsroom, S3RVER_ENV } from '../helpers/newsroom-process.js';
import { expectedState } from '../helpers/publish-site.js';
import { S3TestServer } from '../helpers/s3-server.js';
import { buildSite, makeSite, release } from '../helpers/site.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await S3TestServer.start(['site']);
});
afterAll(() => s3.close());

/**
 * A small newsroom: eight releases over two themes, so listings, related lists and feeds overlap; the first in
 * 2023, the others in 2024 (two shards of the search index).
 */
function site(): Promise<string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= 8; i++) {
    files[`content/news/r${i}.md`] = release({
      title: `Release number ${i}`,
      slug: `r${i}`,
      date: i === 1 ? '2023-12-10' : `2024-0${i}-10`,
      themes: i % 2 ? '[Health]' : '[Migration governance]',
    });
  }
  return makeSite(files);
}

/** The output paths whose bytes differ between two manifests, or that only the new one has. */
function changedPaths(before: Manifest, after: Manifest): string[] {
  const was = new Map(before.files.map((f) => [f.path, f.sha256]));
  return after.files.filter((f) => was.get(f.path) !== f.sha256).map((f) => f.path);
}

describe('build, then publish', () => {
  it('publishes a real build, then only what each edit changed, deleting a removed release last', async () => {
    const root = await site();
    const dist = path.join(root, 'dist');
    const publish = () =>
      newsroom(['publish', '--root', root, '--to', 's3://site/built', '--endpoint', s3.endpoint], S3RVER_ENV);
    const rebuild = async (): Promise<Manifest> => {
      const built = await buildSite(root, '--compress');
      expect(built.code, built.stderr).toBe(0);
      return readManifest(path.join(dist, MANIFEST_PATH));
    };
    /** The keys one publish wrote, in order. */
    const publishAndLog = async (): Promise<{ puts: string[]; deletes: string[]; writes: string[] }> => {
      s3.reset();
      const run = await publish();
      expect(run.code, run.stderr).toBe(0);
      const writes = s3.writes();
      // s3rver sometimes answers a batch delete with a 500 (its file store races with itself) and the SDK's retry
      // sends it again: count each key once.
      const of = (method: string) => [
        ...new Set(
          writes.filter((w) => w.startsWith(`${method} built/`)).map((w) => w.slice(`${method} built/`.length)),
        ),
      ];
      return { puts: of('PUT'), deletes: of('DELETE'), writes };
    };

    // First publish: every object, with its headers, as the manifest says.
    const first = await rebuild();
    await publishAndLog();
    expect(await s3.state('site', 'built/')).toEqual(expectedState(first));

    // A correction to one release's text: its page, the feeds that carry its text and the search index, nothing else.
    await writeFile(
      path.join(root, 'content/news/r3.md'),
      release(
        { title: 'Release number 3', slug: 'r3', date: '2024-03-10', themes: '[Health]' },
        'Officials met again today.\n',
      ),
    );
    const second = await rebuild();
    const body = await publishAndLog();
    expect(body.puts.filter((p) => !p.startsWith('.newsroom/')).sort()).toEqual(changedPaths(first, second).sort());
    const pages = body.puts.filter((p) => /\.html(\.br|\.gz)?$/.test(p));
    expect(pages.sort()).toEqual(['news/r3/index.html', 'news/r3/index.html.br', 'news/r3/index.html.gz']);
    expect(body.puts).toContain('news/feed.xml');
    expect(body.puts).toContain('themes/health/feed.xml');
    expect(body.puts).not.toContain('themes/migration-governance/feed.xml');
    expect(body.puts.filter((p) => !p.startsWith('pagefind/')).every((p) => !p.startsWith('css/'))).toBe(true);
    // Of the search index, only the shard of its year.
    const search = body.puts.filter((p) => p.startsWith('pagefind/'));
    expect(search.length).toBeGreaterThan(0);
    expect(search.filter((p) => !p.startsWith('pagefind/2024/'))).toEqual([]);
    expect(body.deletes).toEqual([]);
    expect(await s3.state('site', 'built/')).toEqual(expectedState(second, first));

    // A new headline: its page, and exactly the pages that show it (listings, neighbours, related releases, home).
    await writeFile(
      path.join(root, 'content/news/r3.md'),
      release({ title: 'Release number 3, corrected', slug: 'r3', date: '2024-03-10', themes: '[Health]' }),
    );
    const third = await rebuild();
    const title = await publishAndLog();
    const uploadedPages = title.puts.filter((p) => p.endsWith('.html'));
    expect(uploadedPages).toContain('news/r3/index.html');
    for (const file of third.files.filter((f) => f.path.endsWith('.html'))) {
      const $ = load(await readFile(path.join(dist, file.path), 'utf8'));
      const shows = $('a').filter((_, a) => $(a).text().includes('Release number 3, corrected')).length > 0;
      const isIt = file.path === 'news/r3/index.html';
      expect(uploadedPages.includes(file.path), `${file.path} shows the headline: ${shows}`).toBe(shows || isIt);
    }
    expect(title.puts).toContain('news/feed.xml');
    expect(title.puts).not.toContain('sitemap.xml');
    // Pages after assets, feeds after pages, the manifest after everything.
    const rank = new Map<string, number>(third.files.map((f) => [f.path, FILE_KINDS.indexOf(f.kind)]));
    rank.set(RETAINED_PATH, FILE_KINDS.length).set(MANIFEST_PATH, FILE_KINDS.length + 1);
    const order = title.puts.map((p) => rank.get(p) ?? -1);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.at(-1)).toBe(FILE_KINDS.length + 1);

    // A release taken down: every listing and feed updated first, then its page deleted, after the manifest.
    await rm(path.join(root, 'content/news/r8.md'));
    const fourth = await rebuild();
    const removal = await publishAndLog();
    // Its page goes, and the search index files the publish before this one replaced (kept one publish for pages
    // cached before it).
    expect(removal.deletes.filter((p) => !p.startsWith('pagefind/')).sort()).toEqual([
      'news/r8/index.html',
      'news/r8/index.html.br',
      'news/r8/index.html.gz',
    ]);
    const previous = new Set(third.files.map((f) => f.path));
    const stale = second.files.filter((f) => f.path.startsWith('pagefind/') && !previous.has(f.path));
    expect(removal.deletes.filter((p) => p.startsWith('pagefind/')).sort()).toEqual(stale.map((f) => f.path).sort());
    const manifestAt = removal.writes.indexOf(`PUT built/${MANIFEST_PATH}`);
    expect(manifestAt).toBeGreaterThan(0);
    expect(removal.writes.slice(manifestAt + 1).every((w) => w.startsWith('DELETE '))).toBe(true);
    expect(removal.puts).toContain('sitemap.xml');
    expect(removal.puts).toContain('news/index.html');
    expect(await s3.state('site', 'built/')).toEqual(expectedState(fourth, third));
    expect(JSON.parse(await readFile(path.join(dist, '.newsroom/purge.json'), 'utf8')).paths).toContain('/news/r8/');
  });

  it('refuses a --drafts preview (it shows embargoed releases) unless told, and touches nothing', async () => {
    const root = await makeSite({
      'content/news/a.md': release({ title: 'Out Now', slug: 'a' }),
      'content/news/b.md': release({ title: 'Held', slug: 'b', embargo: '2099-01-01T00:00:00Z' }),
    });
    expect((await buildSite(root, '--drafts')).code).toBe(0);
    const args = ['publish', '--root', root, '--to', 's3://site/preview', '--endpoint', s3.endpoint];
    s3.reset();
    const refused = await newsroom(args, S3RVER_ENV);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toMatch(
      /^newsroom: \S+ is a --drafts preview: it shows drafts and embargoed releases\. Build without --drafts to publish, or pass --drafts .*; nothing was uploaded or deleted$/,
    );
    expect(s3.log).toEqual([]);
    const staged = await newsroom([...args, '--drafts'], S3RVER_ENV);
    expect(staged.code, staged.stderr).toBe(0);
    expect(Object.keys(await s3.state('site', 'preview/'))).toContain('news/b/index.html');
  });
});
