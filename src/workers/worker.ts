import { parentPort, threadId } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { type LoadJob, loadBatch, type StoredResult } from '../content/load-batch.js';
import { type RenderedBatch, type RenderJob, renderBatch } from '../render/render-batch.js';
import { LOADED } from './pool.js';

/** A batch of work for a worker thread. */
export type Job = LoadJob | RenderJob;

/** What a job gives back. */
export type JobResult<J extends Job = Job> = J extends LoadJob ? StoredResult[] : RenderedBatch;

/** A rendered batch whose buffer of texts is moved to the main thread, not copied (piscina's transfer protocol). */
function moved(batch: RenderedBatch): unknown {
  return move({ [transferableSymbol]: [batch.html.buffer], [valueSymbol]: batch });
}

/** The worker threads' entry point (see pool.ts). */
export default function run(job: Job): unknown {
  return job.type === 'load' ? loadBatch(job) : moved(renderBatch(job));
}

// This thread has loaded its modules and may now be terminated safely (see WorkerPool.close).
parentPort?.postMessage({ [LOADED]: threadId });
