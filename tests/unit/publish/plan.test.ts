import { describe, expect, it } from 'vitest';
import { MANIFEST_PATH, type Manifest, serializeManifest } from '../../../src/publish/manifest.js';
import {
  type BucketState,
  deleteRefusal,
  type ListedObject,
  pathsToCheck,
  planPublish,
  type StoredObject,
} from '../../../src/publish/plan.js';
import { formatPlan, formatPublished } from '../../../src/publish/plan-report.js';
import { manifestOf } from '../../helpers/dist.js';

const FILES = {
  'news/feed.xml': '<rss/>',
  'news/b/index.html': 'B',
  'news/a/index.html': 'A',
  'robots.txt': 'User-agent: *',
  'js/app.1a2b3c4d.js': 'run()',
  'css/site.3f9a1c2b.css': 'body{}',
  'index.html': 'Home',
  'index.html.br': 'br',
  'sitemap.xml': '<urlset/>',
};

const EARLIER = new Date('2026-01-01T10:00:00Z');
const MANIFEST_TIME = new Date('2026-01-01T10:00:05Z');
const LATER = new Date('2026-01-01T10:00:09Z');

/** A bucket holding exactly what a finished publish of `manifest` stored, plus `extra` listing entries. */
function published(manifest: Manifest, extra: Record<string, ListedObject> = {}): BucketState {
  const text = serializeManifest(manifest);
  const listing = new Map<string, ListedObject>(
    manifest.files.map((f) => [f.path, { size: f.size, lastModified: EARLIER }]),
  );
  listing.set(MANIFEST_PATH, { size: text.length, lastModified: MANIFEST_TIME });
  for (const [p, o] of Object.entries(extra)) listing.set(p, o);
  return { manifest, manifestText: text, listing, retainedText: undefined };
}

const EMPTY: BucketState = {
  manifest: undefined,
  manifestText: undefined,
  listing: new Map(),
  retainedText: undefined,
};

function uploadOrder(bucket: BucketState, local: Manifest, checked?: Map<string, StoredObject>): string[] {
  return planPublish(local, serializeManifest(local), bucket, checked).groups.flatMap((g) =>
    g.files.map((f) => `${g.kind} ${f.path}`),
  );
}

describe('planPublish', () => {
  it('uploads everything on a first publish: fingerprinted, files, pages, feeds, each sorted, then the manifest', () => {
    const local = manifestOf(FILES);
    expect(uploadOrder(EMPTY, local)).toEqual([
      'fingerprinted css/site.3f9a1c2b.css',
      'fingerprinted js/app.1a2b3c4d.js',
      'file robots.txt',
      'page index.html',
      'page index.html.br',
      'page news/a/index.html',
      'page news/b/index.html',
      'feed news/feed.xml',
      'feed sitemap.xml',
    ]);
    const plan = planPublish(local, serializeManifest(local), EMPTY);
    expect(plan).toMatchObject({ manifest: true, deletes: [], unchanged: 0, files: 9 });
    expect(plan.bytes).toBe(Object.values(FILES).join('').length);
  });

  it('does nothing when the bucket has the same build', () => {
    const local = manifestOf(FILES);
    const plan = planPublish(local, serializeManifest(local), published(local));
    expect(plan).toMatchObject({ files: 0, bytes: 0, manifest: false, deletes: [], unchanged: 9 });
  });

  it('uploads what changed, then the manifest, and deletes what the build no longer has', () => {
    const { 'news/b/index.html': _b, ...rest } = FILES;
    const local = manifestOf({ ...rest, 'news/a/index.html': 'A2', 'news/c/index.html': 'C' });
    const bucket = published(manifestOf(FILES), { 'stray.txt': { size: 1, lastModified: EARLIER } });
    expect(uploadOrder(bucket, local)).toEqual(['page news/a/index.html', 'page news/c/index.html']);
    const plan = planPublish(local, serializeManifest(local), bucket);
    expect(plan).toMatchObject({ manifest: true, deletes: ['news/b/index.html', 'stray.txt'], unchanged: 7 });
  });

  it('uploads a file the listing lacks or has with another size, even if the stored manifest lists it', () => {
    const local = manifestOf(FILES);
    const bucket = published(local, { 'robots.txt': { size: 3, lastModified: EARLIER } });
    const listing = new Map(bucket.listing);
    listing.delete('sitemap.xml');
    expect(uploadOrder({ ...bucket, listing }, local)).toEqual(['file robots.txt', 'feed sitemap.xml']);
  });

  it('uploads the manifest alone when only it changed', () => {
    const local = manifestOf(FILES);
    const bucket = published(local);
    const plan = planPublish(local, serializeManifest({ ...local, now: '2026-02-01T00:00:00.000Z' }), bucket);
    expect(plan).toMatchObject({ files: 0, manifest: true });
  });

  it('checks objects newer than the stored manifest, which an interrupted publish may have overwritten', () => {
    const local = manifestOf(FILES);
    const bucket = published(local, {
      'index.html': { size: 4, lastModified: LATER },
      'robots.txt': { size: 13, lastModified: MANIFEST_TIME },
    });
    expect(pathsToCheck(local, bucket)).toEqual(['index.html', 'robots.txt']);
    const home = local.files.find((f) => f.path === 'index.html');
    const stored = (sha256: string | undefined): StoredObject => ({
      sha256,
      type: home?.type,
      cacheControl: home?.cacheControl,
      encoding: undefined,
    });
    // index.html holds other bytes of the same size (an interrupted publish of 'Hom2'); robots.txt is not there.
    expect(uploadOrder(bucket, local, new Map([['index.html', stored('0'.repeat(64))]]))).toEqual([
      'file robots.txt',
      'page index.html',
    ]);
    // Stored as the build has it: nothing to upload, and the manifest is the same.
    const robots = local.files.find((f) => f.path === 'robots.txt');
    const checked = new Map<string, StoredObject>([
      ['index.html', stored(home?.sha256)],
      [
        'robots.txt',
        { sha256: robots?.sha256, type: robots?.type, cacheControl: robots?.cacheControl, encoding: undefined },
      ],
    ]);
    expect(planPublish(local, serializeManifest(local), bucket, checked)).toMatchObject({ files: 0, manifest: false });
  });

  it('checks every listed object when the bucket has no manifest, and uploads what differs in any header', () => {
    const local = manifestOf({ 'index.html.br': 'br', 'a.css': 'x' });
    const listing = new Map<string, ListedObject>([
      ['index.html.br', { size: 2, lastModified: EARLIER }],
      ['a.css', { size: 1, lastModified: EARLIER }],
    ]);
    const bucket = { manifest: undefined, manifestText: undefined, listing, retainedText: undefined };
    expect(pathsToCheck(local, bucket)).toEqual(['a.css', 'index.html.br']);
    const br = local.files.find((f) => f.path === 'index.html.br');
    const css = local.files.find((f) => f.path === 'a.css');
    const checked = new Map<string, StoredObject>([
      ['index.html.br', { sha256: br?.sha256, type: br?.type, cacheControl: br?.cacheControl, encoding: undefined }],
      ['a.css', { sha256: css?.sha256, type: css?.type, cacheControl: css?.cacheControl, encoding: undefined }],
    ]);
    expect(uploadOrder(bucket, local, checked)).toEqual(['page index.html.br']);
  });
});

describe('retaining old fingerprinted files for one publish', () => {
  const v1 = manifestOf({ 'css/site.11111111.css': 'one', 'index.html': 'Home 1', 'old/index.html': 'Old' });
  const v2 = manifestOf({ 'css/site.22222222.css': 'two', 'index.html': 'Home 2' });
  const v3 = manifestOf({ 'css/site.33333333.css': 'three', 'index.html': 'Home 3' });

  it('keeps the stylesheet the last publish served, deletes the removed page, and records what it kept', () => {
    const plan = planPublish(v2, serializeManifest(v2), published(v1));
    expect(plan.deletes).toEqual(['old/index.html']);
    expect(plan.retained).toEqual(['css/site.11111111.css']);
    expect(JSON.parse(plan.retainedText ?? '')).toEqual({ paths: ['css/site.11111111.css'] });
  });

  it('deletes it at the next publish of another build', () => {
    // After publishing v2: v1's stylesheet is still there, listed as retained.
    const bucket = published(v2, { 'css/site.11111111.css': { size: 3, lastModified: EARLIER } });
    const after = { ...bucket, retainedText: '{"paths":["css/site.11111111.css"]}' };
    const plan = planPublish(v3, serializeManifest(v3), after);
    expect(plan.deletes).toEqual(['css/site.11111111.css']);
    expect(plan.retained).toEqual(['css/site.22222222.css']);
  });

  it('keeps it on a rerun of the same build that finds the new manifest already stored', () => {
    // Killed after the manifest went up, before the deletes: the retained list is in the bucket already.
    const bucket = published(v2, {
      'css/site.11111111.css': { size: 3, lastModified: EARLIER },
      'old/index.html': { size: 3, lastModified: EARLIER },
    });
    const text = `${JSON.stringify({ paths: ['css/site.11111111.css'] }, null, 1)}\n`;
    const plan = planPublish(v2, serializeManifest(v2), { ...bucket, retainedText: text });
    expect(plan.deletes).toEqual(['old/index.html']);
    expect(plan.retained).toEqual(['css/site.11111111.css']);
    expect(plan.retainedText).toBeUndefined();
    expect(plan.manifest).toBe(false);
  });
});

describe('deleteRefusal', () => {
  const local = manifestOf({ 'a.html': 'A' });
  const extra = Object.fromEntries(
    Array.from({ length: 3 }, (_, i) => [`old${i}.html`, { size: 1, lastModified: EARLIER }]),
  );
  const plan = planPublish(local, serializeManifest(local), published(local, extra));

  it('refuses more deletes than the limit, naming the count and both options', () => {
    expect(plan.deletes).toEqual(['old0.html', 'old1.html', 'old2.html']);
    expect(deleteRefusal(plan, 2, false, 's3://b/p/')).toBe(
      'refusing to delete 3 objects under s3://b/p/, more than --max-deletes 2: pass --force to delete them, or --max-deletes 3',
    );
  });

  it('allows them up to the limit, or with --force', () => {
    expect(deleteRefusal(plan, 3, false, 's3://b/p/')).toBeUndefined();
    expect(deleteRefusal(plan, 0, true, 's3://b/p/')).toBeUndefined();
  });

  it('formats the dry run and the summary', () => {
    expect(formatPlan(plan, { paths: ['/x/'], urls: ['https://e.org/x/'] }, 's3://b/p/', 'refusing')).toEqual([
      'newsroom: dry run of a publish to s3://b/p/ (nothing is written)',
      '  upload 0 fingerprinted assets (0 B)',
      '  upload 0 other files (0 B)',
      '  upload 0 pages (0 B)',
      '  upload 0 feeds and sitemaps (0 B)',
      '  keep the manifest (unchanged)',
      '  delete 3 objects (refused: see below)',
      '    - old0.html',
      '    - old1.html',
      '    - old2.html',
      '  keep 1 file unchanged',
      'purge 1 path:',
      '  /x/',
    ]);
    expect(formatPublished(plan, 's3://b/p/')).toBe(
      'newsroom: published 0 files (0 B), deleted 3, unchanged 1 to s3://b/p/',
    );
  });
});
