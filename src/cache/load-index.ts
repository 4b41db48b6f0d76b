import { createHash, randomBytes } from 'node:crypto';
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

/**
 * The name of a file the cache keeps for one site (its root's real path) in `folder`, one per `part`: the load
 * index of a kind of source, the related lists of a language, the route hashes.
 */
export function siteFileName(folder: string, site: string, part: string): string {
  return `${folder}/${createHash('sha256').update(`${site}\0${part}`).digest('hex').slice(0, 32)}`;
}

/** The name of the index of one kind of source of one site in the cache directory. */
const indexName = (site: string, kind: SourceKind): string => siteFileName('index', site, kind);

/** The context an index is valid in. */
export function indexContext(fingerprint: string, kind: SourceKind, contextKey: string): string {
  return createHash('sha256').update(`${fingerprint}\0${kind}\0${contextKey}`).digest('hex');
}

/** Changes up to which a build writes only what differs from the last full index, beside it. */
const DELTA_LIMIT = 2_000;

interface StoredIndex extends LoadIndex {
  /** Names this full index, so a delta is applied only to the index it was made against. */
  readonly id: string;
}

interface StoredDelta {
  readonly base: string;
  readonly changed: ReadonlyMap<string, IndexedFile>;
  readonly removed: readonly string[];
}

/** What was read: the index, and the full one it was made from (for the next build's delta). */
export interface ReadIndex extends LoadIndex {
  readonly base: StoredIndex;
}

/** The index of `kind` for `site` when it was made in `context`; undefined when missing, damaged or made in another. */
export function readLoadIndex(disk: DiskCache, site: string, kind: SourceKind, context: string): ReadIndex | undefined {
  const name = indexName(site, kind);
  const base = disk.readNamed(name) as Partial<StoredIndex> | undefined;
  if (base?.context !== context || !(base.files instanceof Map) || typeof base.id !== 'string') return undefined;
  const full = base as StoredIndex;
  const delta = disk.readNamed(`${name}.delta`) as Partial<StoredDelta> | undefined;
  if (delta?.base !== full.id || !(delta.changed instanceof Map) || !Array.isArray(delta.removed)) {
    return { context, files: full.files, base: full };
  }
  const files = new Map(full.files);
  for (const [path, file] of delta.changed) files.set(path, file);
  for (const path of delta.removed) files.delete(path);
  return { context, files, base: full };
}

/**
 * Saves the index of `kind` for `site`: when it differs from the full index `previous` was made from in a few
 * files, only those (a one-edit build writes a few kilobytes, not the whole site's metadata); else in full. A
 * failure only costs the next build time.
 */
export function writeLoadIndex(
  disk: DiskCache,
  site: string,
  kind: SourceKind,
  index: LoadIndex,
  previous: ReadIndex | undefined,
): void {
  const name = indexName(site, kind);
  const base = previous?.context === index.context ? previous.base : undefined;
  if (base) {
    const changed = new Map<string, IndexedFile>();
    for (const [path, file] of index.files) if (base.files.get(path) !== file) changed.set(path, file);
    const removed = [...base.files.keys()].filter((path) => !index.files.has(path));
    if (changed.size + removed.length <= DELTA_LIMIT) {
      disk.writeNamed(`${name}.delta`, { base: base.id, changed, removed } satisfies StoredDelta);
      return;
    }
  }
  const id = randomBytes(16).toString('hex');
  if (disk.writeNamed(name, { ...index, id } satisfies StoredIndex)) {
    disk.writeNamed(`${name}.delta`, { base: id, changed: new Map(), removed: [] } satisfies StoredDelta);
  }
}
