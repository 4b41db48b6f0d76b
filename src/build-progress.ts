import { performance } from 'node:perf_hooks';

/** What a build reports as it goes: which stage it is in, and how far through a counted stage. */
export interface BuildProgress {
  /** A stage starts: `rendering` with `total` pages, or `writing` with none. */
  stage(name: string, total?: number): void;
  /** `done` items of the current stage are finished. */
  advance(done: number): void;
  /** The build is over, done or failed: the line is cleared. */
  end(): void;
}

/** Reports nothing. */
export const silentProgress: BuildProgress = { stage: () => undefined, advance: () => undefined, end: () => undefined };

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * Progress on one line of `write`'s stream. In a terminal (`redraw`) the line is rewritten in place at most every
 * `interval` ms, once the build has taken `after` ms (short builds say nothing); in a log (CI) a plain line is
 * written instead, at most every `interval` ms, after `after` ms.
 */
export function buildProgress(
  write: (text: string) => void,
  { redraw, after, interval }: { redraw: boolean; after: number; interval: number },
  clock: () => number = () => performance.now(),
): BuildProgress {
  const started = clock();
  let drawn = -Infinity;
  let shown = false;
  let name = '';
  let total: number | undefined;
  let done = 0;
  const draw = (force: boolean): void => {
    const now = clock();
    if (now - started < after || (!force && now - drawn < interval)) return;
    drawn = now;
    const count = total === undefined ? '' : ` ${done.toLocaleString('en')}/${total.toLocaleString('en')}`;
    const text = `newsroom: ${name}${count} (${seconds(now - started)})`;
    if (redraw) {
      // \r goes back to the start of the line, ESC [K clears the rest of the old text.
      write(`\r\u001b[K${text}`);
      shown = true;
    } else {
      write(`${text}\n`);
    }
  };
  return {
    stage: (stage, count) => {
      name = stage;
      total = count;
      done = 0;
      draw(redraw);
    },
    advance: (count) => {
      done = count;
      draw(false);
    },
    end: () => {
      if (shown) write('\r\u001b[K');
      shown = false;
    },
  };
}
