import { describe, expect, it } from 'vitest';
import { memoryLine, reportMemoryOnSignal } from '../../../src/dev/memory-report.js';

const LINE =
  /^newsroom: memory rss=(\d+) heapUsed=(\d+) heapTotal=(\d+) external=\d+ arrayBuffers=\d+ gc=(forced|none)$/;

describe('the dev server memory report (npm run soak)', () => {
  it('prints the process memory on SIGUSR2 while listening, and nothing once stopped', () => {
    const lines: string[] = [];
    const stop = reportMemoryOnSignal((line) => lines.push(line));
    process.emit('SIGUSR2', 'SIGUSR2');
    stop();
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(lines).toHaveLength(1);
    const [, rss, heapUsed, heapTotal] = LINE.exec(lines[0] ?? '') ?? [];
    expect(Number(rss)).toBeGreaterThan(Number(heapUsed));
    expect(Number(heapTotal)).toBeGreaterThanOrEqual(Number(heapUsed));
  });

  it('says whether it could force a collection first', () => {
    const gc = 'gc' in globalThis ? 'forced' : 'none';
    expect(LINE.exec(memoryLine())?.[4]).toBe(gc);
  });
});
