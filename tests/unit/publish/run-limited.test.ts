import { describe, expect, it } from 'vitest';
import { runLimited } from '../../../src/publish/run-limited.js';

describe('runLimited', () => {
  it('never runs more than the limit at once and runs every item', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await runLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      done.push(n);
      running--;
    });
    expect(most).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('starts nothing after a failure, waits for the running tasks, then throws the first failure', async () => {
    const started: number[] = [];
    let finished = 0;
    const run = runLimited([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await new Promise((resolve) => setImmediate(resolve));
      if (n === 2) throw new Error('two failed');
      await new Promise((resolve) => setImmediate(resolve));
      finished++;
    });
    await expect(run).rejects.toThrow('two failed');
    expect(started).toEqual([1, 2]);
    expect(finished).toBe(1);
  });
});
