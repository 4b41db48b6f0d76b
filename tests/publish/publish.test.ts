import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RETAINED_PATH } from '../../src/publish/manifest.js';
import { kindOf, makeDist, manifestOf, writeDist } from '../helpers/dist.js';
import { newsroom, S3RVER_ENV } from '../helpers/newsroom-process.js';
import { expectedState, sampleSite } from '../helpers/publish-site.js';
import { S3TestServer } from '../helpers/s3-server.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await S3TestServer.start(['site']);
});
afterAll(() => s3.close());
beforeEach(() => s3.reset());

/** `newsroom publish --root root --to s3://site/<prefix> --endpoint <proxy>`, plus `extra`. */
function publish(root: string, prefix: string, ...extra: string[]) {
  return newsroom(
    ['publish', '--root', root, '--to', `s3://site/${prefix}`, '--endpoint', s3.endpoint, ...extra],
    S3RVER_ENV,
  );
}

async function purgeFile(root: string): Promise<unknown> {
  return JSON.parse(await readFile(path.join(root, 'dist/.newsroom/purge.json'), 'utf8'));
}

describe('newsroom publish', () => {
  it('uploads every file of a first publish with its bytes, Content-Type, Cache-Control and Content-Encoding', async () => {
    const root = await makeDist(sampleSite());
    const manifest = manifestOf(sampleSite());
    const result = await publish(root, 'first');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^newsroom: published 11 files \(\d+ B\), deleted 0, unchanged 0 to s3:\/\/site\/first\/$/m,
    );
    // Every page and feed is new: purged, in case the CDN cached a 404 for one.
    expect(result.stdout).toMatch(/^purge 6 paths:$/m);
    // Not a terminal: one plain line per group, in upload order.
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^newsroom: uploading 2 fingerprinted assets \(\d+ B\)$/),
      expect.stringMatching(/^newsroom: uploading 2 other files \(\d+ B\)$/),
      expect.stringMatching(/^newsroom: uploading 5 pages \(\d+ B\)$/),
      expect.stringMatching(/^newsroom: uploading 2 feeds and sitemaps \(\d+ B\)$/),
      'newsroom: uploading the manifest',
    ]);
    expect(await s3.state('site', 'first/')).toEqual(expectedState(manifest));
    // The pre-compressed copy is stored as is and decompresses to the page.
    const br = await s3.client.send(new GetObjectCommand({ Bucket: 'site', Key: 'first/index.html.br' }));
    expect(br.ContentEncoding).toBe('br');
    const bytes = Buffer.from((await br.Body?.transformToByteArray()) ?? []);
    expect(brotliDecompressSync(bytes).toString()).toBe('<h1>Home v1</h1>');
    expect(((await purgeFile(root)) as { paths: string[] }).paths).toEqual([
      '/newsroom/',
      '/newsroom/404.html',
      '/newsroom/news/a/',
      '/newsroom/news/b/',
      '/newsroom/news/feed.xml',
      '/newsroom/sitemap.xml',
    ]);
  });

  it('uploads only the changed page and the manifest the second time, and purges its URL', async () => {
    const root = await makeDist(sampleSite());
    expect((await publish(root, 'second')).code).toBe(0);
    const manifest = await writeDist(root, { ...sampleSite(), 'news/a/index.html': '<h1>A, corrected</h1>' });
    s3.reset();
    const result = await publish(root, 'second');
    expect(result.code).toBe(0);
    expect(s3.writes()).toEqual(['PUT second/news/a/index.html', 'PUT second/.newsroom/manifest.json']);
    expect(result.stdout).toContain('newsroom: published 1 file (');
    expect(result.stdout).toContain('unchanged 10 to s3://site/second/');
    expect(result.stdout).toContain('purge 1 path:\n  /newsroom/news/a/\n');
    expect(await purgeFile(root)).toMatchObject({
      paths: ['/newsroom/news/a/'],
      urls: ['https://news.example.org/newsroom/news/a/'],
    });
    expect(await s3.state('site', 'second/')).toEqual(expectedState(manifest));
    // Nothing changed: nothing written.
    s3.reset();
    const again = await publish(root, 'second');
    expect(again.stdout).toContain('newsroom: published 0 files (0 B), deleted 0, unchanged 11');
    expect(s3.writes()).toEqual([]);
  });

  it('deletes removed files and strays under the prefix last, after every upload and the manifest', async () => {
    const root = await makeDist(sampleSite());
    const first = manifestOf(sampleSite());
    expect((await publish(root, 'removed')).code).toBe(0);
    await s3.put('site', 'removed/stray.txt', 'left by hand');
    await s3.put('site', 'removed-not/keep.txt', 'another prefix');
    await s3.put('site', 'elsewhere/keep.txt', 'outside the prefix');
    const { 'news/b/index.html': _b, 'css/site.3f9a1c2b.css': _css, ...rest } = sampleSite('v2');
    const manifest = await writeDist(root, { ...rest, 'css/site.77aa88bb.css': 'body { color: #000 }' });
    s3.reset();
    const result = await publish(root, 'removed');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('deleted 2,');
    expect(result.stderr).toMatch(/^newsroom: deleting 2 objects$/m);
    const writes = s3.writes();
    const deletes = writes.filter((w) => w.startsWith('DELETE'));
    expect(deletes.sort()).toEqual(['DELETE removed/news/b/index.html', 'DELETE removed/stray.txt']);
    // Every delete comes after the last upload, which is the manifest, which comes after the list of kept files.
    expect(writes.slice(-2).every((w) => w.startsWith('DELETE'))).toBe(true);
    expect(writes.slice(-4, -2)).toEqual([
      'PUT removed/.newsroom/retained.json',
      'PUT removed/.newsroom/manifest.json',
    ]);
    // The old stylesheet stays for this publish (pages cached before it may still ask for it), and goes at the next.
    expect(await s3.state('site', 'removed/')).toEqual(expectedState(manifest, first));
    expect(Object.keys(await s3.state('site', 'removed-not/'))).toEqual(['keep.txt']);
    expect(Object.keys(await s3.state('site', 'elsewhere/'))).toEqual(['keep.txt']);
    expect((await purgeFile(root)) as { paths: string[] }).toMatchObject({
      paths: ['/newsroom/', '/newsroom/news/a/', '/newsroom/news/b/', '/newsroom/news/feed.xml'],
    });
    const third = await writeDist(root, {
      ...rest,
      'css/site.77aa88bb.css': 'body { color: #000 }',
      'index.html': 'v3',
    });
    s3.reset();
    expect((await publish(root, 'removed')).code).toBe(0);
    expect(s3.writes().filter((w) => w.startsWith('DELETE'))).toEqual(['DELETE removed/css/site.3f9a1c2b.css']);
    const state = await s3.state('site', 'removed/');
    expect(state).toEqual({ ...expectedState(third, manifest), [RETAINED_PATH]: state[RETAINED_PATH] });
    const kept = await s3.client.send(new GetObjectCommand({ Bucket: 'site', Key: `removed/${RETAINED_PATH}` }));
    expect(JSON.parse((await kept.Body?.transformToString()) ?? '')).toEqual({ paths: [] });
  });

  it('uploads by kind: fingerprinted assets, other files, pages, feeds, then the manifest', async () => {
    const root = await makeDist(sampleSite());
    const rank = { fingerprinted: 0, file: 1, page: 2, feed: 3 } as const;
    for (const [prefix, concurrency] of [
      ['order1', '1'],
      ['order8', '8'],
    ] as const) {
      s3.reset();
      expect((await publish(root, prefix, '--concurrency', concurrency)).code).toBe(0);
      const puts = s3.writes().map((w) => w.slice(`PUT ${prefix}/`.length));
      expect(puts.at(-1)).toBe('.newsroom/manifest.json');
      const ranks = puts.slice(0, -1).map((p) => rank[kindOf(p)]);
      expect(ranks).toEqual([...ranks].sort());
      if (concurrency === '1') {
        expect(puts).toEqual([
          'css/site.3f9a1c2b.css',
          'js/app.1a2b3c4d.js',
          'images/logo.png',
          'robots.txt',
          '404.html',
          'index.html',
          'index.html.br',
          'news/a/index.html',
          'news/b/index.html',
          'news/feed.xml',
          'sitemap.xml',
          '.newsroom/manifest.json',
        ]);
      }
    }
  });

  it('refuses more deletes than --max-deletes before changing anything, and deletes them with --force', async () => {
    const many = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`news/old${i}/index.html`, `old ${i}`]));
    const root = await makeDist({ ...sampleSite(), ...many });
    expect((await publish(root, 'guard')).code).toBe(0);
    const before = await s3.state('site', 'guard/');
    const manifest = await writeDist(root, { ...sampleSite(), 'news/a/index.html': '<h1>A new</h1>' });
    s3.reset();
    const refused = await publish(root, 'guard', '--max-deletes', '4');
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n').at(-1)).toBe(
      'newsroom: refusing to delete 5 objects under s3://site/guard/, more than --max-deletes 4: pass --force to delete them, or --max-deletes 5; nothing was uploaded or deleted',
    );
    expect(s3.writes()).toEqual([]);
    expect(await s3.state('site', 'guard/')).toEqual(before);
    // A dry run shows the plan and says the real run would refuse.
    const dry = await publish(root, 'guard', '--max-deletes', '4', '--dry-run');
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain('  delete 5 objects (refused: see below)\n');
    expect(dry.stderr).toContain('newsroom: refusing to delete 5 objects');
    expect(s3.writes()).toEqual([]);
    const forced = await publish(root, 'guard', '--max-deletes', '4', '--force');
    expect(forced.code).toBe(0);
    expect(await s3.state('site', 'guard/')).toEqual(expectedState(manifest));
  });

  it('--dry-run prints the plan and the purge list and writes nothing, in the bucket or in dist', async () => {
    const root = await makeDist(sampleSite());
    const first = await publish(root, 'dry', '--dry-run');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('  upload 5 pages (');
    expect(s3.log.every((r) => r.method === 'GET' || r.method === 'HEAD')).toBe(true);
    expect(await s3.state('site', 'dry/')).toEqual({});
    await expect(readFile(path.join(root, 'dist/.newsroom/purge.json'))).rejects.toThrow(/ENOENT/);

    expect((await publish(root, 'dry')).code).toBe(0);
    const before = await s3.state('site', 'dry/');
    const { 'news/b/index.html': _b, ...rest } = sampleSite();
    await writeDist(root, { ...rest, 'news/a/index.html': '<h1>A again</h1>' });
    await rm(path.join(root, 'dist/.newsroom/purge.json'), { force: true });
    s3.reset();
    const dry = await publish(root, 'dry', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout.split('\n')).toEqual([
      'newsroom: dry run of a publish to s3://site/dry/ (nothing is written)',
      '  upload 0 fingerprinted assets (0 B)',
      '  upload 0 other files (0 B)',
      '  upload 1 page (16 B)',
      '  upload 0 feeds and sitemaps (0 B)',
      '  upload the manifest',
      '  delete 1 object',
      '    - news/b/index.html',
      '  keep 9 files unchanged',
      'purge 2 paths:',
      '  /newsroom/news/a/',
      '  /newsroom/news/b/',
      '',
    ]);
    expect(s3.writes()).toEqual([]);
    expect(await s3.state('site', 'dry/')).toEqual(before);
    await expect(readFile(path.join(root, 'dist/.newsroom/purge.json'))).rejects.toThrow(/ENOENT/);
  });

  it('replaces a stored manifest it cannot read, publishing as if for the first time', async () => {
    const root = await makeDist(sampleSite());
    await s3.put('site', 'broken/.newsroom/manifest.json', '{"generator":"other"}');
    await s3.put('site', 'broken/index.html', 'same size?');
    const result = await publish(root, 'broken');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^newsroom: warning: s3:\/\/site\/broken\/\.newsroom\/manifest\.json is not a Newsroom manifest \(.*; publishing as if for the first time$/m,
    );
    expect(await s3.state('site', 'broken/')).toEqual(expectedState(manifestOf(sampleSite())));
  });

  it('lists and deletes past the 1,000 keys S3 gives or takes in one request', async () => {
    const many: Record<string, string> = { 'index.html': 'Home' };
    for (let i = 0; i < 1005; i++) many[`news/r${i}/index.html`] = `R${i}`;
    const root = await makeDist(many);
    expect((await publish(root, 'many', '--concurrency', '32')).code).toBe(0);
    expect(Object.keys(await s3.state('site', 'many/'))).toHaveLength(1007);
    // A second publish must see all 1,006 stored files (two list pages) to upload nothing.
    s3.reset();
    const again = await publish(root, 'many');
    expect(again.stdout).toContain('published 0 files (0 B), deleted 0, unchanged 1006');
    expect(s3.log.filter((r) => r.query.includes('list-type=2')).length).toBeGreaterThan(1);
    // Taking them all down: 1,005 deletes in two batches, after the manifest.
    await writeDist(root, { 'index.html': 'Home' });
    s3.reset();
    const down = await publish(root, 'many', '--force');
    expect(down.stdout).toContain('deleted 1005,');
    expect(s3.log.filter((r) => r.method === 'POST' && r.query.startsWith('delete') && r.status === 200)).toHaveLength(
      2,
    );
    expect(Object.keys(await s3.state('site', 'many/')).sort()).toEqual(['.newsroom/manifest.json', 'index.html']);
  });

  it('reads the output from --out', async () => {
    const root = await makeDist(sampleSite());
    const manifest = await writeDist(path.join(root, 'elsewhere'), sampleSite('v9'));
    const result = await publish(root, 'out', '--out', path.join(root, 'elsewhere/dist'));
    expect(result.code).toBe(0);
    expect(await s3.state('site', 'out/')).toEqual(expectedState(manifest));
  });
});
