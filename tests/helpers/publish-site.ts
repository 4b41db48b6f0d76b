import { createHash } from 'node:crypto';
import { brotliCompressSync } from 'node:zlib';
import { MANIFEST_PATH, type Manifest, RETAINED_PATH, serializeManifest } from '../../src/publish/manifest.js';
import { retainedTextOf } from '../../src/publish/plan.js';
import type { DistSpec } from './dist.js';
import type { StoredObjectState } from './s3-server.js';

/** A small built site: every kind, a pre-compressed copy and a binary file. */
export function sampleSite(version = 'v1'): Record<string, DistSpec> {
  const home = `<h1>Home ${version}</h1>`;
  return {
    'css/site.3f9a1c2b.css': 'body { color: #222 }',
    'js/app.1a2b3c4d.js': 'console.log(1)',
    'images/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
    'robots.txt': 'User-agent: *\n',
    'index.html': home,
    'index.html.br': brotliCompressSync(home),
    '404.html': '<h1>Not found</h1>',
    'news/a/index.html': `<h1>A ${version}</h1>`,
    'news/b/index.html': `<h1>B ${version}</h1>`,
    'news/feed.xml': `<rss>${version}</rss>`,
    'sitemap.xml': '<urlset/>',
  };
}

/** A JSON bookkeeping object as publish stores it. */
function bookkeeping(text: string): StoredObjectState {
  const sha256 = createHash('sha256').update(text).digest('hex');
  return {
    sha256,
    size: Buffer.byteLength(text),
    type: 'application/json',
    cacheControl: 'no-cache',
    encoding: undefined,
    metadataSha256: sha256,
  };
}

/**
 * What the bucket must hold under the prefix after publishing `manifest`: every file as built, and the manifest.
 * When `previous` was published before it, its fingerprinted files that `manifest` lacks are kept for this one
 * publish, and listed in the retained file.
 */
export function expectedState(manifest: Manifest, previous?: Manifest): Record<string, StoredObjectState> {
  const state: Record<string, StoredObjectState> = { [MANIFEST_PATH]: bookkeeping(serializeManifest(manifest)) };
  const now = new Set(manifest.files.map((f) => f.path));
  const kept = (previous?.files ?? []).filter((f) => f.kind === 'fingerprinted' && !now.has(f.path));
  if (kept.length > 0) state[RETAINED_PATH] = bookkeeping(retainedTextOf(kept.map((f) => f.path).sort()));
  for (const f of [...kept, ...manifest.files]) {
    state[f.path] = {
      sha256: f.sha256,
      size: f.size,
      type: f.type,
      cacheControl: f.cacheControl,
      encoding: f.encoding,
      metadataSha256: f.sha256,
    };
  }
  return state;
}
