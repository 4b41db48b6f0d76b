import { readFileSync, statSync } from 'node:fs';
import { DiskCache } from '../cache/disk-cache.js';
import { createMarkdownProcessor, type RenderMarkdown } from '../markdown/processor.js';
import { fileSizeError, refused } from './limits.js';
import { loadKey } from './load-key.js';
import { type LoadResult, type LoadSettings, loadSource, type SourceKind } from './load-source.js';
import type { LoadContext } from './release.js';

/**
 * A file to load: with its text and content key when the caller read it (and already looked it up in the cache),
 * or only its path, to be read, keyed and looked up here (a one-shot build, whose main thread never holds texts).
 */
export interface LoadItem {
  readonly path: string;
  readonly absolute?: string | undefined;
  readonly text?: string | undefined;
  readonly key?: string | undefined;
}

/** Files to load on a worker thread. */
export interface LoadJob {
  readonly type: 'load';
  readonly kind: SourceKind;
  readonly items: readonly LoadItem[];
  readonly settings: LoadSettings;
  /** The persistent cache, when the build keeps one: looked up for unread items, and written. */
  readonly cacheDir: string | undefined;
  readonly fingerprint: string;
  /**
   * Whether the caller keeps release bodies. When it does not (a one-shot build, see `slimRelease`), a release
   * whose result is in the cache comes back without its body and contacts: the renderer reads them from there.
   */
  readonly bodies: boolean;
  /**
   * Which item the worker is loading, plus one (0 before the first and after the last): a cell of shared memory
   * the main thread watches to stop a file that runs over `limits.markdownSeconds` (see `loadWithin`).
   */
  readonly progress?: Int32Array | undefined;
}

/** What loading one item gave, and how. */
export interface StoredResult {
  readonly result: LoadResult;
  /** The content key; '' for a result that is never cached (over a limit, which may be raised). */
  readonly key: string;
  /** Whether the result is in the persistent cache now (its release body can be read from there again). */
  readonly stored: boolean;
  /** Whether it came from the cache rather than from parsing. */
  readonly fromDisk: boolean;
  /** Whether a damaged cache entry was found (and removed) on the way. */
  readonly corrupt: boolean;
}

/** Loads one item: read and looked up in the cache if it came unread, parsed if not found, and stored. */
export function loadItem(
  job: { readonly kind: SourceKind; readonly fingerprint: string; readonly contextKey: string },
  item: LoadItem,
  context: LoadContext,
  cache: DiskCache | undefined,
): StoredResult {
  if (item.text === undefined) {
    // Over the size limit: reported from its stat, never read (nor cached: the limit may be raised).
    const bytes = statSync(item.absolute ?? item.path).size;
    if (bytes > context.limits.fileSize) return refused(fileSizeError(item.path, bytes, context.limits.fileSize));
  }
  const text = item.text ?? readFileSync(item.absolute ?? item.path, 'utf8');
  const key = item.key ?? loadKey(job.fingerprint, job.kind, job.contextKey, item.path, text);
  let corrupt = false;
  if (cache && item.key === undefined) {
    const damaged = cache.counts.corrupt;
    const stored = cache.read(job.kind, key) as LoadResult | undefined;
    if (stored) return { result: stored, key, stored: true, fromDisk: true, corrupt: false };
    corrupt = cache.counts.corrupt > damaged;
  }
  const result = loadSource(job.kind, { path: item.path, text }, context);
  return { result, key, stored: cache?.write(job.kind, key, result) ?? false, fromDisk: false, corrupt };
}

let renderMarkdown: RenderMarkdown | undefined;

/** Loads each file of the batch on a worker thread, in order. */
export function loadBatch(job: LoadJob): StoredResult[] {
  renderMarkdown ??= createMarkdownProcessor();
  const context = { ...job.settings, assets: new Set(job.settings.assets), renderMarkdown };
  const cache = job.cacheDir === undefined ? undefined : new DiskCache(job.cacheDir);
  const keyed = { kind: job.kind, fingerprint: job.fingerprint, contextKey: JSON.stringify(job.settings) };
  const { progress } = job;
  const results = job.items.map((item, i) => {
    if (progress) Atomics.store(progress, 0, i + 1);
    return loadItem(keyed, item, context, cache);
  });
  if (progress) Atomics.store(progress, 0, 0);
  return job.bodies ? results : results.map(leaveBody);
}

/**
 * The result without what the caller would drop on arrival: sent back, the bodies would fill the main thread's
 * old generation (V8 allocates everything of a message over 100 KB there) until a full collection.
 */
function leaveBody(one: StoredResult): StoredResult {
  const value = one.result.value;
  if (!one.stored || value?.kind !== 'release') return one;
  return { ...one, result: { ...one.result, value: { ...value, html: '', contacts: [] } } };
}
