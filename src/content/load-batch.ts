import { DiskCache } from '../cache/disk-cache.js';
import { createMarkdownProcessor, type RenderMarkdown } from '../markdown/processor.js';
import { type LoadResult, type LoadSettings, loadSource, type SourceKind } from './load-source.js';

/** Files to load on a worker thread. */
export interface LoadJob {
  readonly type: 'load';
  readonly kind: SourceKind;
  readonly items: readonly { readonly path: string; readonly text: string; readonly key: string }[];
  readonly settings: LoadSettings;
  /** Where to store each result under its key, when the build has a persistent cache. */
  readonly cacheDir: string | undefined;
}

let renderMarkdown: RenderMarkdown | undefined;

/** A load result, and whether it is now in the persistent cache. */
export interface StoredResult {
  readonly result: LoadResult;
  readonly stored: boolean;
}

/** Loads each file of the batch (and stores it in the cache) and gives the results, in order. */
export function loadBatch(job: LoadJob): StoredResult[] {
  renderMarkdown ??= createMarkdownProcessor();
  const context = { ...job.settings, assets: new Set(job.settings.assets), renderMarkdown };
  const cache = job.cacheDir === undefined ? undefined : new DiskCache(job.cacheDir);
  return job.items.map((item) => {
    const result = loadSource(job.kind, { path: item.path, text: item.text }, context);
    return { result, stored: cache?.write(job.kind, item.key, result) ?? false };
  });
}
