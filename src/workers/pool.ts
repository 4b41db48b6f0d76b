import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Job, JobResult } from './worker.js';

/**
 * The worker module, always the compiled one in lib/ (also when the caller runs from src/ under the tests, which
 * `npm test` compiles first): worker threads load plain JavaScript.
 */
const WORKER = new URL('../../lib/workers/worker.js', import.meta.url);

/** A worker's young generation: three semi-spaces' worth in V8's reckoning, so 32 MB semi-spaces. */
const YOUNG_GENERATION_MB = 96;

/**
 * Threads for the per-file work of large builds, one per core: loading sources (front matter, checks, Markdown)
 * and rendering pages. The main thread reads files, builds routes and writes; batches of work go out as messages
 * (structured clones of plain data) and come back the same way.
 */
export class WorkerPool {
  readonly #pool: Piscina<Job, JobResult>;

  constructor(threads = availableParallelism()) {
    this.#pool = new Piscina({
      filename: WORKER.href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 1000,
      // A thread holds one batch at a time; a bounded old generation makes V8 collect sooner instead of growing
      // (10,000 releases cold: peak RSS of the process about 920 -> 730 MB, same time within noise). The young
      // generation is larger than V8's default (3 x 16 MB semi-spaces): Markdown and templates make short-lived
      // objects by the million, and with twice the room each scavenge finds fewer survivors to copy (2,000
      // releases single-threaded: 375 scavenges and 1.7-2.2 s of them -> 186 and 0.8-0.9 s).
      resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
  }

  /**
   * Runs the job on a free thread. Aborting `signal` rejects the job; if it is running, piscina terminates its
   * thread (the only way to stop synchronous work) and starts another in its place.
   */
  run<J extends Job>(job: J, signal?: AbortSignal): Promise<JobResult<J>> {
    return this.#pool.run(job, { signal: signal ?? null }) as Promise<JobResult<J>>;
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
