import { type LoadJob, loadBatch, type StoredResult } from '../content/load-batch.js';
import { type RenderJob, renderBatch } from '../render/render-batch.js';
import type { RenderedRoute } from '../render/render-route.js';

/** A batch of work for a worker thread. */
export type Job = LoadJob | RenderJob;

/** What a job gives back. */
export type JobResult<J extends Job = Job> = J extends LoadJob ? StoredResult[] : RenderedRoute[];

/** The worker threads' entry point (see pool.ts). */
export default function run(job: Job): JobResult {
  return job.type === 'load' ? loadBatch(job) : renderBatch(job);
}
