import { compareText } from '../compare.js';
import type { Manifest, ManifestEntry } from './manifest.js';

/** What a CDN must forget: URL paths (`/newsroom/news/x/`) and the same as absolute URLs. */
export interface Purge {
  readonly paths: readonly string[];
  readonly urls: readonly string[];
}

/** How one build's output differs from another's. Every list is sorted. */
export interface ManifestDiff {
  /** Output paths only the new manifest has. */
  readonly added: readonly string[];
  /** Output paths both have, stored differently (bytes, Content-Type, Cache-Control or Content-Encoding). */
  readonly changed: readonly string[];
  /** Output paths only the old manifest has. */
  readonly removed: readonly string[];
  /** How many paths both have, stored the same. */
  readonly unchanged: number;
  /** The pages and feeds a CDN may hold stale answers for: the added (a cached 404), changed and removed ones. */
  readonly purge: Purge;
}

/** Whether two entries are stored the same way: equal bytes, Content-Type, Cache-Control and Content-Encoding. */
export function sameStored(a: ManifestEntry, b: ManifestEntry): boolean {
  return (
    a.sha256 === b.sha256 &&
    a.type === b.type &&
    a.cacheControl === b.cacheControl &&
    (a.encoding ?? '') === (b.encoding ?? '')
  );
}

const SUFFIX = { br: '.br', gzip: '.gz' } as const;

/**
 * The URL path readers request for an output file, under `basePath` (`''` or `/newsroom`): `index.html` files by
 * their directory, pre-compressed copies by their original's URL.
 */
export function urlPathOf(entry: Pick<ManifestEntry, 'path' | 'encoding'>, basePath: string): string {
  let file = entry.path;
  const suffix = entry.encoding ? SUFFIX[entry.encoding] : undefined;
  if (suffix && file.endsWith(suffix)) file = file.slice(0, -suffix.length);
  if (file === 'index.html') file = '';
  else if (file.endsWith('/index.html')) file = file.slice(0, -'index.html'.length);
  return `${basePath}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

/** The purge list for `entries` of a site at `baseUrl`: pages and feeds only, deduplicated and sorted. */
export function purgeOf(entries: readonly ManifestEntry[], baseUrl: string): Purge {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const paths = [
    ...new Set(entries.filter((e) => e.kind === 'page' || e.kind === 'feed').map((e) => urlPathOf(e, basePath))),
  ].sort(compareText);
  return { paths, urls: paths.map((p) => `${base.origin}${p}`) };
}

/** Compares the manifest of the published build (none on a first publish) with the next one. */
export function diffManifests(old: Manifest | undefined, next: Manifest): ManifestDiff {
  const before = new Map((old?.files ?? []).map((e) => [e.path, e]));
  const after = new Map(next.files.map((e) => [e.path, e]));
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  const stale: ManifestEntry[] = [];
  let unchanged = 0;
  for (const [path, entry] of after) {
    const was = before.get(path);
    if (!was) {
      added.push(path);
      // A CDN may have cached a 404 for it (a reader who tried an embargoed release's URL early).
      stale.push(entry);
    } else if (sameStored(was, entry)) unchanged++;
    else {
      changed.push(path);
      // Either version being a page or feed makes the URL worth purging.
      stale.push(entry, was);
    }
  }
  for (const [path, entry] of before) {
    if (after.has(path)) continue;
    removed.push(path);
    stale.push(entry);
  }
  return {
    added: added.sort(compareText),
    changed: changed.sort(compareText),
    removed: removed.sort(compareText),
    unchanged,
    purge: purgeOf(stale, next.baseUrl),
  };
}
