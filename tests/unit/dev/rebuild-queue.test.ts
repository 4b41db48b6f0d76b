import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { type QueueOptions, RebuildQueue } from '../../../src/dev/rebuild-queue.js';

/** A queue whose builds take `buildMs` and record their batches and overlaps. */
function recordingQueue(buildMs: number, delayMs = 20, options: QueueOptions = {}) {
  const batches: string[][] = [];
  const errors: unknown[] = [];
  let running = 0;
  let overlapped = false;
  const queue = new RebuildQueue(
    async (changed) => {
      running++;
      if (running > 1) overlapped = true;
      batches.push([...changed].sort());
      await sleep(buildMs);
      running--;
    },
    delayMs,
    (cause) => errors.push(cause),
    options,
  );
  return { queue, batches, errors, overlapped: () => overlapped };
}

describe('RebuildQueue', () => {
  it('gathers a burst of 500 changes into one build', async () => {
    const { queue, batches } = recordingQueue(5);
    for (let i = 0; i < 500; i++) {
      queue.add(`content/news/r${i}.md`);
      if (i % 50 === 0) await sleep(1);
    }
    await queue.idle();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(500);
  });

  it('does not put a build off for more events of a file already waiting (one save gives several)', async () => {
    const { queue, batches } = recordingQueue(5, 40);
    queue.add('a');
    // Events of the same file keep coming for longer than the wait: the build still starts after the first.
    for (let i = 0; i < 10; i++) {
      await sleep(10);
      queue.add('a');
    }
    expect(batches[0]).toEqual(['a']);
    await queue.idle();
  });

  it('never runs two builds at once, and changes during a build give exactly one more build', async () => {
    const { queue, batches, overlapped } = recordingQueue(80);
    queue.add('a');
    await sleep(40); // the first build is running now
    queue.add('b');
    queue.add('c');
    await sleep(10);
    queue.add('d');
    await queue.idle();
    expect(overlapped()).toBe(false);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('keeps going after a build throws, reporting the error', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const queue = new RebuildQueue(
      async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
      },
      5,
      (cause) => errors.push(cause),
    );
    queue.add('a');
    await queue.idle();
    queue.add('b');
    await queue.idle();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it('builds nothing after close', async () => {
    const { queue, batches } = recordingQueue(5);
    queue.add('a');
    await queue.close();
    queue.add('b');
    await sleep(40);
    expect(batches).toEqual([]);
  });

  it('waits while a changed file looks half-written, and builds once its text is there', async () => {
    let written = false;
    const { queue, batches } = recordingQueue(0, 10, { hold: (file) => file === 'a' && !written });
    queue.add('a');
    await sleep(60);
    expect(batches).toEqual([]);
    expect(queue.busy).toBe(true);
    written = true;
    await queue.idle();
    expect(batches).toEqual([['a']]);
  });

  it('builds a file that stays half-written after a bounded wait (an empty file is then an error to show)', async () => {
    const { queue, batches } = recordingQueue(0, 10, { hold: () => true });
    queue.add('a');
    await queue.idle();
    expect(batches).toEqual([['a']]);
  });

  it('waits the shorter solo time for one file, and the full time once a second file joins', async () => {
    const { queue, batches } = recordingQueue(0, 120, { soloDelayMs: 10 });
    queue.add('a');
    await sleep(60);
    expect(batches).toEqual([['a']]);
    queue.add('b');
    await sleep(5);
    queue.add('c');
    await sleep(60);
    expect(batches).toHaveLength(1);
    await queue.idle();
    expect(batches).toEqual([['a'], ['b', 'c']]);
  });

  it('lets a file whose event is still on its way join the batch, instead of starting a second build', async () => {
    let lagging = ['b', 'c'];
    const { queue, batches } = recordingQueue(0, 10, {
      // A watcher that lags: when asked, it still has events to pass on.
      caughtUp: async () => {
        await sleep(5);
        for (const file of lagging) queue.add(file);
        lagging = [];
      },
    });
    queue.add('a');
    await queue.idle();
    expect(batches).toEqual([['a', 'b', 'c']]);
  });
});
