/**
 * How often the main thread looks at what the worker threads are loading: a file is stopped between 0 and two
 * ticks after it ran over its limit, and the checks cost nothing next to a batch's work.
 */
const TICK_MS = 250;

/** A job being watched: the item it was on at the last tick, and since when the main thread has seen it there. */
interface Watched {
  readonly progress: Int32Array;
  readonly limitMs: number;
  readonly stop: (item: number) => void;
  item: number;
  since: number;
}

/**
 * Watches the progress cells of running load jobs (see `LoadJob.progress`) with one timer for all of them, and
 * calls a job's `stop` with the index of its item once that item has been running for longer than the limit.
 * An item's clock starts when the main thread first sees it, up to a tick late: a file is never stopped before it
 * ran for the whole limit, even when the main thread was busy.
 */
export class Watchdog {
  readonly #watched = new Set<Watched>();
  #timer: NodeJS.Timeout | undefined;

  /** Watches `progress` until the returned function is called, or until `stop` was called once. */
  watch(progress: Int32Array, limitMs: number, stop: (item: number) => void): () => void {
    const one: Watched = { progress, limitMs, stop, item: 0, since: 0 };
    this.#watched.add(one);
    this.#timer ??= setInterval(() => this.#tick(), TICK_MS);
    return () => this.#forget(one);
  }

  #tick(): void {
    const now = performance.now();
    for (const one of this.#watched) {
      const item = Atomics.load(one.progress, 0);
      if (item !== one.item) {
        one.item = item;
        one.since = now;
      } else if (item > 0 && now - one.since > one.limitMs) {
        this.#forget(one);
        one.stop(item - 1);
      }
    }
  }

  #forget(one: Watched): void {
    this.#watched.delete(one);
    if (this.#watched.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
