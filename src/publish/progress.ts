/** What a publish reports as it goes. */
export interface PublishProgress {
  /** HEAD requests start for objects the stored manifest cannot vouch for. */
  checking(count: number): void;
  /** Uploads start: how many files and bytes in all (the manifest not counted). */
  start(files: number, bytes: number): void;
  /** A group of uploads starts: `what` counts its files (`3 pages`). */
  group(what: string, bytes: number): void;
  /** The manifest upload starts. */
  manifest(): void;
  /** One file is uploaded. */
  uploaded(bytes: number): void;
  /** Deletes start. */
  deleting(count: number): void;
  /** Something the person publishing should know, which does not stop the publish. */
  warn(text: string): void;
  /** The publish is over, done or failed. */
  end(): void;
}

/** Bytes for people: `512 B`, `12.3 kB`, `4.0 MB` (powers of 1,000). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** For logs (CI): a plain line when each step starts. */
export function lineProgress(line: (text: string) => void): PublishProgress {
  return {
    checking: (count) => line(`newsroom: checking ${count} stored object${count === 1 ? '' : 's'}`),
    start: () => undefined,
    group: (what, bytes) => line(`newsroom: uploading ${what} (${formatBytes(bytes)})`),
    manifest: () => line('newsroom: uploading the manifest'),
    uploaded: () => undefined,
    deleting: (count) => line(`newsroom: deleting ${count} object${count === 1 ? '' : 's'}`),
    warn: (text) => line(`newsroom: warning: ${text}`),
    end: () => undefined,
  };
}

/**
 * For a terminal: one line, rewritten in place, with files and bytes done out of the total. Redrawn at most every
 * `interval` ms while files go up (thousands of small pages would otherwise flood the terminal), and at each step.
 */
export function terminalProgress(
  write: (text: string) => void,
  clock: () => number = Date.now,
  interval = 100,
): PublishProgress {
  let drawn = -Infinity;
  let label = '';
  let files = 0;
  let bytes = 0;
  let totalFiles = 0;
  let totalBytes = 0;
  let shown = false;
  const show = (text: string): void => {
    // \r goes back to the start of the line, ESC [K clears the rest of the old text.
    write(`\r\u001b[K${text}`);
    shown = true;
  };
  const update = (): void => {
    drawn = clock();
    show(
      `newsroom: ${files}/${totalFiles} files, ${formatBytes(bytes)}/${formatBytes(totalBytes)} (uploading ${label})`,
    );
  };
  return {
    checking: (count) => show(`newsroom: checking ${count} stored object${count === 1 ? '' : 's'}`),
    start: (f, b) => {
      totalFiles = f;
      totalBytes = b;
    },
    group: (what) => {
      label = what;
      update();
    },
    manifest: () => {
      label = 'the manifest';
      update();
    },
    uploaded: (size) => {
      files++;
      bytes += size;
      if (files === totalFiles || clock() - drawn >= interval) update();
    },
    deleting: (count) => show(`newsroom: deleting ${count} object${count === 1 ? '' : 's'}`),
    warn: (text) => {
      write(`${shown ? '\r\u001b[K' : ''}newsroom: warning: ${text}\n`);
      shown = false;
    },
    end: () => {
      if (shown) write('\r\u001b[K');
      shown = false;
    },
  };
}
