import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Job, JobResult } from './worker.js';

/**
 * The worker module, always the compiled one in lib/ (also when the caller runs from src/ under the tests, which
 * `npm test` compiles first): worker threads load plain JavaScript.
 */
const WORKER = new URL('../../lib/workers/worker.js', import.meta.url);

/** How long {@link WorkerPool.close} waits at most for threads that are still loading. */
const LOADING_MS = 10_000;

/** The message a thread sends once it has loaded the worker module: `{ [LOADED]: threadId }`. */
export const LOADED = 'newsroomWorkerLoaded';

function isLoaded(message: unknown): message is { [LOADED]: number } {
  return (
    typeof message === 'object' && message !== null && typeof (message as Record<string, unknown>)[LOADED] === 'number'
  );
}

/** A worker's young generation: three semi-spaces' worth in V8's reckoning, so 32 MB semi-spaces. */
const YOUNG_GENERATION_MB = 96;

/**
 * Threads for the per-file work of large builds, one per core: loading sources (front matter, checks, Markdown)
 * and rendering pages. The main thread reads files, builds routes and writes; batches of work go out as messages
 * (structured clones of plain data) and come back the same way.
 */
export class WorkerPool {
  readonly #pool: Piscina<Job, JobResult>;
  /** The threads that have loaded the worker module (they say so, see worker.ts). */
  readonly #loaded = new Set<number>();

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
    this.#pool.on('message', (message: unknown) => {
      if (isLoaded(message)) this.#loaded.add(message[LOADED]);
    });
  }

  /**
   * Runs the job on a free thread. Aborting `signal` rejects the job; if it is running, piscina terminates its
   * thread (the only way to stop synchronous work) and starts another in its place.
   */
  run<J extends Job>(job: J, signal?: AbortSignal): Promise<JobResult<J>> {
    return this.#pool.run(job, { signal: signal ?? null }) as Promise<JobResult<J>>;
  }

  /**
   * Stops the threads, once none is still loading its modules: Node 20.19 and later load the worker module with
   * `require()` of ES modules, and a thread terminated while that instantiates them aborts the whole process
   * (`v8::Module::IsGraphAsync must be used on an instantiated module`: 3 of 200 pools closed just after a thread
   * was stopped over the time limit, while its replacement started; 0 of 120 with this wait). A thread loads in
   * well under a second.
   */
  async close(): Promise<void> {
    const until = performance.now() + LOADING_MS;
    while (this.#pool.threads.some((t) => !this.#loaded.has(t.threadId)) && performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await this.#pool.destroy();
  }
}
