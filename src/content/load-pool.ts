import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { LoadResult } from './load-source.js';
import type { LoadJob } from './load-worker.js';

/**
 * The worker module, always the compiled one in lib/ (also when the caller runs from src/ under the tests, which
 * `npm test` compiles first): worker threads load plain JavaScript.
 */
const WORKER = new URL('../../lib/content/load-worker.js', import.meta.url);

/** Files per message to a worker: enough to make the message cost nothing, few enough to share the work evenly. */
export const BATCH = 48;

/**
 * Threads that load files (front matter, validation, Markdown) for large builds, one per core. The main thread only
 * reads files, hashes them and hands them out, so a cold build uses every core.
 */
export class LoadPool {
  readonly #pool: Piscina<LoadJob, LoadResult[]>;

  constructor(threads = availableParallelism()) {
    this.#pool = new Piscina({ filename: WORKER.href, minThreads: threads, maxThreads: threads, idleTimeout: 1000 });
  }

  /** Loads the batch on a free thread. */
  run(job: LoadJob): Promise<LoadResult[]> {
    return this.#pool.run(job);
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
