import * as pagefind from 'pagefind';
import { type OutputFile, textOf } from './write-site.js';

/** Where the search bundle goes in the output, and where the search page loads it from. */
export const SEARCH_BUNDLE = 'pagefind';

/** Pagefind's ready-made UIs and the index of pages with no language: the search page uses none of them. */
const UNUSED = /(?:-ui\.(?:js|css)$|^pagefind-highlight\.js$|^wasm\.unknown\.)/;

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

/** Pagefind runs one service per process, and closing it ends every index in it: indexers take turns. */
let turn: Promise<unknown> = Promise.resolve();

/**
 * Indexes the published releases with Pagefind, in memory, while the build goes on: pages are sent as they are
 * rendered, so Pagefind (its own process) indexes on another core while this one renders and writes. `finish`
 * returns its bundle (index, fragments, filters, the search library) as files for the output. Pagefind splits the
 * index by each page's `lang`, so every language searches its own releases; filters come from
 * `data-pagefind-filter` marks.
 */
export class SearchIndexer {
  readonly #index: pagefind.PagefindIndex;
  readonly #release: () => void;
  readonly #pending = new Set<Promise<void>>();
  #error: SearchIndexError | undefined;
  #closed = false;

  private constructor(index: pagefind.PagefindIndex, release: () => void) {
    this.#index = index;
    this.#release = release;
  }

  /** Waits for this process's Pagefind service to be free, and starts an index. */
  static async open(): Promise<SearchIndexer> {
    let release = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = turn;
    turn = previous.then(() => mine);
    await previous;
    try {
      const created = await pagefind.createIndex({});
      if (!created.index) throw new SearchIndexError(created.errors.join('; ') || 'Pagefind made no index');
      return new SearchIndexer(created.index, release);
    } catch (cause) {
      await pagefind.close().catch(() => null);
      release();
      throw failure(cause);
    }
  }

  /** Sends a page; gives a promise to wait on when too many are in flight. */
  add(page: OutputFile): Promise<void> | undefined {
    const sent: Promise<void> = this.#index
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

  /** Waits for every page to be indexed and gives the bundle's files, sorted by path; then closes the index. */
  async finish(): Promise<OutputFile[]> {
    try {
      await Promise.all(this.#pending);
      if (this.#error) throw this.#error;
      const { files, errors } = await this.#index.getFiles();
      if (errors.length) throw new SearchIndexError(errors.join('; '));
      return files
        .filter((file) => !UNUSED.test(file.path))
        .map((file) => ({ path: `${SEARCH_BUNDLE}/${file.path}`, contents: Buffer.from(file.content) }))
        .sort((a, b) => (a.path < b.path ? -1 : 1));
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
