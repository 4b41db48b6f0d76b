import { statSync } from 'node:fs';
import { byteSize, markdownMemoryError, markdownTimeError, refused } from '../content/limits.js';
import type { LoadItem, LoadJob, StoredResult } from '../content/load-batch.js';
import type { WorkerPool } from './pool.js';
import { Watchdog } from './watchdog.js';

/**
 * Files this long or longer are loaded on a worker thread even in a small build, where the time limit can stop
 * them; shorter ones load on the calling thread, which cannot be interrupted. The worst inputs measured (runs of
 * `*t ` then `_t*_ `, of `*a`, of `**a*`) take at most 0.65 s at 8 kB, but 3.6 s at 16 kB and 7 s at 20 kB, while
 * real releases are 2 to 5 kB: a small build or a dev edit starts no threads for them (about 100 ms).
 */
export const GUARD_BYTES = 8_000;

/** Whether `item` is long enough to be loaded where the time limit can stop it (see {@link GUARD_BYTES}). */
export function mustGuard(item: LoadItem): boolean {
  if (item.text !== undefined) return byteSize(item.text, GUARD_BYTES) >= GUARD_BYTES;
  try {
    return statSync(item.absolute ?? item.path).size >= GUARD_BYTES;
  } catch {
    // Gone since it was found: the loader reports it, on this thread.
    return false;
  }
}

const watchdog = new Watchdog();

/**
 * Loads a job's files on a worker thread, stopping any one that takes longer than `seconds`: its thread is
 * terminated, the file gets a `limits/markdown-time` error, and the job's other files run again as a new job,
 * watched the same way, so every file of a batch is loaded or reported. A file whose thread ran out of memory
 * (remark holds hundreds of MB over a few MB of the texts it is slow on) gets a `limits/markdown-memory` error
 * the same way. Neither error is cached. Results are in item order.
 */
export async function loadWithin(
  pool: WorkerPool,
  job: Omit<LoadJob, 'progress'>,
  seconds: number,
): Promise<StoredResult[]> {
  const progress = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const abort = new AbortController();
  // An object, not a `let`: TypeScript does not see assignments made in a callback.
  const stopped: { item?: number } = {};
  const forget = watchdog.watch(progress, seconds * 1000, (item) => {
    stopped.item = item;
    abort.abort();
  });
  let results: StoredResult[];
  try {
    results = await pool.run({ ...job, progress }, abort.signal);
  } catch (cause) {
    // The cell still says which item the thread was on when it died.
    const running = Atomics.load(progress, 0) - 1;
    const failed = stopped.item ?? (outOfMemory(cause) && running >= 0 ? running : undefined);
    if (failed === undefined) throw cause;
    const path = job.items[failed]?.path ?? '';
    const problem = stopped.item === undefined ? markdownMemoryError(path) : markdownTimeError(path, seconds);
    // The job came back with nothing, so the files before the failed one run again too; unkeyed, so that the
    // loader looks them up in the persistent cache (when the build keeps one), where the dead thread put them.
    const rest = job.items.filter((_, i) => i !== failed).map((item) => ({ ...item, key: undefined }));
    const others = rest.length > 0 ? await loadWithin(pool, { ...job, items: rest }, seconds) : [];
    return [...others.slice(0, failed), refused(problem), ...others.slice(failed)];
  } finally {
    forget();
  }
  return results;
}

/** Whether a job failed because its thread reached its heap limit (see WorkerPool's `resourceLimits`). */
function outOfMemory(cause: unknown): boolean {
  return cause instanceof Error && (cause as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
}
