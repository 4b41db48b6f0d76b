import { describe, expect, it } from 'vitest';
import { formatBytes, lineProgress, terminalProgress } from '../../../src/publish/progress.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [12_345, '12.3 kB'],
    [4_000_000, '4.0 MB'],
    [2_500_000_000, '2.5 GB'],
  ])('%d bytes are %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('progress', () => {
  const steps = (progress: ReturnType<typeof lineProgress>): void => {
    progress.checking(2);
    progress.start(3, 3500);
    progress.group('2 pages', 2500);
    progress.uploaded(1000);
    progress.uploaded(1500);
    progress.group('1 feed or sitemap', 1000);
    progress.uploaded(1000);
    progress.manifest();
    progress.deleting(1);
    progress.end();
  };

  it('prints a plain line per step for logs', () => {
    const lines: string[] = [];
    steps(lineProgress((line) => lines.push(line)));
    expect(lines).toEqual([
      'newsroom: checking 2 stored objects',
      'newsroom: uploading 2 pages (2.5 kB)',
      'newsroom: uploading 1 feed or sitemap (1.0 kB)',
      'newsroom: uploading the manifest',
      'newsroom: deleting 1 object',
    ]);
  });

  it('rewrites one line in a terminal, with files and bytes done out of the total, and clears it at the end', () => {
    let screen = '';
    let now = 0;
    steps(
      terminalProgress(
        (text) => {
          screen += text;
        },
        // A second between calls: every upload redraws.
        () => (now += 1000),
      ),
    );
    const updates = screen.split('\r\u001b[K');
    expect(updates).toContain('newsroom: 2/3 files, 2.5 kB/3.5 kB (uploading 2 pages)');
    expect(updates).toContain('newsroom: 3/3 files, 3.5 kB/3.5 kB (uploading the manifest)');
    expect(screen.endsWith('\r\u001b[K')).toBe(true);
    expect(screen).not.toContain('\n');
  });

  it('redraws at most every 100 ms while files go up, and always for the last one', () => {
    const lines: string[] = [];
    let now = 0;
    const progress = terminalProgress(
      (text) => lines.push(text),
      () => now,
    );
    progress.start(1000, 1000);
    progress.group('1000 pages', 1000);
    for (let i = 0; i < 1000; i++) {
      now += 1; // a file a millisecond
      progress.uploaded(1);
    }
    // The group line, one line per 100 ms of uploads, and the last file.
    expect(lines.length).toBeLessThanOrEqual(1 + 10 + 1);
    expect(lines.at(-1)).toContain('1000/1000 files');
  });
});
