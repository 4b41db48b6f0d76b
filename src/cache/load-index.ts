import { createHash } from 'node:crypto';
import type { LoadResult, SourceKind } from '../content/load-source.js';
import type { DiskCache } from './disk-cache.js';

/** One file of a {@link LoadIndex}: its stat when loaded, its content key, and its result without a body. */
export type IndexedFile = readonly [stat: string, key: string, result: LoadResult];

/**
 * What the last build of a site loaded, in one file of the cache: for each source, the stat it had (size, times,
 * inode, as {@link siteStamp} reads them), its content key and its load result with the release body left out (it
 * stays in the content-addressed entry, read when a page needs it). A file whose stat is unchanged is taken from
 * here without being read or looked up: one read for the whole site instead of two per file.
 */
export interface LoadIndex {
  /** A hash of the code and the load settings: an index made under others is not used. */
  readonly context: string;
  readonly files: ReadonlyMap<string, IndexedFile>;
}

/** The name of the index of one kind of source of one site in the cache directory. */
function indexName(site: string, kind: SourceKind): string {
  return `index/${createHash('sha256').update(`${site}\0${kind}`).digest('hex').slice(0, 32)}`;
}

/** The context an index is valid in. */
export function indexContext(fingerprint: string, kind: SourceKind, contextKey: string): string {
  return createHash('sha256').update(`${fingerprint}\0${kind}\0${contextKey}`).digest('hex');
}

/** The index of `kind` for `site` when it was made in `context`; undefined when missing, damaged or made in another. */
export function readLoadIndex(disk: DiskCache, site: string, kind: SourceKind, context: string): LoadIndex | undefined {
  const value = disk.readNamed(indexName(site, kind)) as Partial<LoadIndex> | undefined;
  if (value?.context !== context || !(value.files instanceof Map)) return undefined;
  return value as LoadIndex;
}

/** Replaces the index of `kind` for `site`; a failure only costs the next build time. */
export function writeLoadIndex(disk: DiskCache, site: string, kind: SourceKind, index: LoadIndex): void {
  disk.writeNamed(indexName(site, kind), index);
}
