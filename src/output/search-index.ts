import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as pagefind from 'pagefind';
import { type ShardEntry, shardFolder, shardList } from './search-shards.js';
import { OutputError, type OutputFile, textOf } from './write-site.js';

/**
 * Pagefind's ready-made UIs and the index of pages with no language: the search page uses none of them. Tested on
 * paths inside a bundle (`pagefind-ui.js`), before they are put in their shard's folder.
 */
const UNUSED = /(?:-ui\.(?:js|css)$|^pagefind-highlight\.js$|^wasm\.unknown\.)/;

/** The file of a bundle that names its languages (and the rest of its index). */
const ENTRY = 'pagefind-entry.json';

/** Pages sent to Pagefind and not yet indexed, at most: enough to keep it busy, not the whole site in a pipe. */
const IN_FLIGHT = 256;

/** The search index could not be made (Pagefind's binary missing or failing). */
export class SearchIndexError extends Error {
  override name = 'SearchIndexError';
}

const failure = (cause: unknown): SearchIndexError =>
  cause instanceof SearchIndexError
    ? cause
    : new SearchIndexError(cause instanceof Error ? cause.message : String(cause), { cause });

/** The languages a bundle has an index for, from its entry file (Pagefind's names: `en`, `pt-br`). */
function languagesOf(entry: string): string[] {
  const { languages } = JSON.parse(entry) as { languages?: Record<string, unknown> };
  return Object.keys(languages ?? {}).sort();
}

/** A shard's bundle made by this build. */
export interface ShardBundle extends ShardEntry {
  /** Its files at their output paths (`pagefind/2025/...`), sorted by path. */
  readonly files: readonly OutputFile[];
}

/**
 * A shard kept from the output in `dir`, as the shard list needs it: its languages, read from its entry file.
 * Throws {@link OutputError} when that file is gone or unreadable (the output changed since it was built).
 */
async function keptShard(dir: string, shard: string): Promise<ShardEntry> {
  const file = path.join(dir, shardFolder(shard), ENTRY);
  try {
    return { shard, languages: languagesOf(await readFile(file, 'utf8')) };
  } catch (cause) {
    throw new OutputError(`cannot reuse the search index in ${path.dirname(file)}: build again`, file, { cause });
  }
}

/**
 * The search index's files: the bundles this build made, and the list of every shard, those made and those `kept`
 * from the previous output in `dir` (whose files the build links from there).
 */
export async function searchFiles(
  made: readonly ShardBundle[],
  kept: readonly string[],
  dir: string,
): Promise<OutputFile[]> {
  const entries = [...made, ...(await Promise.all(kept.map((shard) => keptShard(dir, shard))))];
  return [...made.flatMap((bundle) => bundle.files), shardList(entries)];
}

/** Pagefind runs one service per process, and closing it ends every index in it: indexers take turns. */
let turn: Promise<unknown> = Promise.resolve();

/**
 * Indexes the published releases with Pagefind, in memory, while the build goes on: pages are sent as they are
 * rendered, so Pagefind (its own process) indexes on another core while this one renders and writes. Each shard
 * (a year of releases) is an index of its own in the one service, so a build indexes only the shards that changed;
 * `finish` returns each one's bundle (index, fragments, filters, the search library) as files for the output.
 * Pagefind splits an index by each page's `lang`, so every language searches its own releases; filters come from
 * `data-pagefind-filter` marks.
 */
export class SearchIndexer {
  readonly #indexes: ReadonlyMap<string, pagefind.PagefindIndex>;
  readonly #release: () => void;
  readonly #pending = new Set<Promise<void>>();
  #error: SearchIndexError | undefined;
  #closed = false;

  private constructor(indexes: ReadonlyMap<string, pagefind.PagefindIndex>, release: () => void) {
    this.#indexes = indexes;
    this.#release = release;
  }

  /**
   * Waits for this process's Pagefind service to be free, and starts an index for each of `shards`: all of them
   * now, so a missing or broken Pagefind stops the build before it renders anything.
   */
  static async open(shards: readonly string[]): Promise<SearchIndexer> {
    let release = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = turn;
    turn = previous.then(() => mine);
    await previous;
    try {
      const indexes = new Map<string, pagefind.PagefindIndex>();
      for (const shard of shards) {
        const created = await pagefind.createIndex({});
        if (!created.index) throw new SearchIndexError(created.errors.join('; ') || 'Pagefind made no index');
        indexes.set(shard, created.index);
      }
      return new SearchIndexer(indexes, release);
    } catch (cause) {
      await pagefind.close().catch(() => null);
      release();
      throw failure(cause);
    }
  }

  /**
   * Sends a page to its shard's index (pages of one shard must come in the same order every build: Pagefind's
   * output depends on it); gives a promise to wait on when too many are in flight.
   */
  add(shard: string, page: OutputFile): Promise<void> | undefined {
    const index = this.#indexes.get(shard);
    if (!index) throw new Error(`search shard ${shard} was not opened`);
    const sent: Promise<void> = index
      .addHTMLFile({ sourcePath: page.path, content: textOf(page) })
      .then(
        (result) => {
          if (result.errors.length) this.#error ??= new SearchIndexError(`${page.path}: ${result.errors.join('; ')}`);
        },
        (cause: unknown) => {
          this.#error ??= failure(cause);
        },
      )
      .finally(() => this.#pending.delete(sent));
    this.#pending.add(sent);
    return this.#pending.size >= IN_FLIGHT ? Promise.race(this.#pending) : undefined;
  }

  /** Waits for every page to be indexed and gives each shard's bundle, in the order opened; then closes. */
  async finish(): Promise<ShardBundle[]> {
    try {
      await Promise.all(this.#pending);
      if (this.#error) throw this.#error;
      const bundles: ShardBundle[] = [];
      for (const [shard, index] of this.#indexes) {
        const { files, errors } = await index.getFiles();
        if (errors.length) throw new SearchIndexError(errors.join('; '));
        const entry = files.find((file) => file.path === ENTRY);
        bundles.push({
          shard,
          languages: entry ? languagesOf(Buffer.from(entry.content).toString('utf8')) : [],
          files: files
            .filter((file) => !UNUSED.test(file.path))
            .map((file) => ({ path: `${shardFolder(shard)}/${file.path}`, contents: Buffer.from(file.content) }))
            .sort((a, b) => (a.path < b.path ? -1 : 1)),
        });
      }
      return bundles;
    } catch (cause) {
      throw failure(cause);
    } finally {
      await this.close();
    }
  }

  /** Stops the service and lets the next indexer start (safe to call twice). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled(this.#pending);
    await pagefind.close().catch(() => null);
    this.#release();
  }
}
