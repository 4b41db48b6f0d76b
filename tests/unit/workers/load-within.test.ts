import { describe, expect, it } from 'vitest';
import type { LoadItem, LoadJob, StoredResult } from '../../../src/content/load-batch.js';
import { GUARD_BYTES, loadWithin, mustGuard } from '../../../src/workers/load-within.js';
import type { WorkerPool } from '../../../src/workers/pool.js';

const item = (path: string): LoadItem => ({ path, text: `text of ${path}`, key: `key of ${path}` });
const loaded = (one: LoadItem): StoredResult => ({
  result: { value: undefined, diagnostics: [] },
  key: one.path,
  stored: true,
  fromDisk: false,
  corrupt: false,
});
const job = (items: LoadItem[]): Omit<LoadJob, 'progress'> => ({
  type: 'load',
  kind: 'release',
  items,
  settings: {
    defaultLanguage: 'en',
    languages: ['en'],
    baseUrl: '',
    assets: [],
    limits: { fileSize: 5_000_000, frontMatter: 32_000, nesting: 100, markdownSeconds: 30 },
  },
  cacheDir: undefined,
  fingerprint: 'f',
  bodies: true,
});

/**
 * A pool whose thread dies of `failure` when it reaches an item named `*-bad`, as a worker thread at its heap
 * limit does; the items it was given, job by job.
 */
function dyingPool(failure: Error) {
  const jobs: string[][] = [];
  const pool = {
    async run(sent: LoadJob): Promise<StoredResult[]> {
      jobs.push(sent.items.map((i) => i.path));
      const results: StoredResult[] = [];
      for (const [i, one] of sent.items.entries()) {
        if (sent.progress) Atomics.store(sent.progress, 0, i + 1);
        if (one.path.endsWith('-bad')) throw failure;
        results.push(loaded(one));
      }
      return results;
    },
  };
  return { pool: pool as unknown as WorkerPool, jobs };
}

const outOfMemory = () =>
  Object.assign(new Error('Worker terminated due to reaching memory limit'), { code: 'ERR_WORKER_OUT_OF_MEMORY' });

describe('loadWithin', () => {
  it('reports each file whose thread ran out of memory, and loads the others again, in order', async () => {
    const { pool, jobs } = dyingPool(outOfMemory());
    const items = ['a', 'b-bad', 'c', 'd-bad', 'e'].map(item);
    const results = await loadWithin(pool, job(items), 30);
    expect(results.map((r) => r.result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.rule}`))).toEqual([
      [],
      ['b-bad:1:1 limits/markdown-memory'],
      [],
      ['d-bad:1:1 limits/markdown-memory'],
      [],
    ]);
    expect(results.map((r) => r.key)).toEqual(['a', '', 'c', '', 'e']);
    expect(results.filter((r) => r.stored)).toHaveLength(3);
    expect(jobs).toEqual([
      ['a', 'b-bad', 'c', 'd-bad', 'e'],
      ['a', 'c', 'd-bad', 'e'],
      ['a', 'c', 'e'],
    ]);
  });

  it('passes on any other failure of a job', async () => {
    const { pool } = dyingPool(new Error('a bug'));
    await expect(loadWithin(pool, job([item('a-bad')]), 30)).rejects.toThrow('a bug');
  });

  it('guards files from GUARD_BYTES up, by their text or their size on disk', () => {
    expect(mustGuard({ path: 'x', text: 'x'.repeat(GUARD_BYTES - 1) })).toBe(false);
    expect(mustGuard({ path: 'x', text: 'x'.repeat(GUARD_BYTES) })).toBe(true);
    // 3,000 characters of 3 bytes each in UTF-8.
    expect(mustGuard({ path: 'x', text: '€'.repeat(3_000) })).toBe(true);
    expect(mustGuard({ path: 'missing.md' })).toBe(false);
  });
});
