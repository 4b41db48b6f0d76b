import { readFileSync, statSync } from 'node:fs';

const stampOf = (absolute: string): string => {
  const info = statSync(absolute);
  return `${info.size}:${info.mtimeMs}:${info.ctimeMs}:${info.ino}`;
};

interface Entry {
  readonly stamp: string;
  readonly text: string;
}

/**
 * Remembers the text of files between builds of a long-lived process, so an unchanged file is not read again.
 * A file is read again when its size, mtime, ctime or inode changed, or when the caller knows it changed (a watcher
 * event): a same-size edit within one mtime tick is still seen.
 */
export class TextCache {
  readonly #entries = new Map<string, Entry>();

  /** With `keep` false, nothing is remembered: for a one-shot build, which reads each file once. */
  constructor(private readonly keep = true) {}

  /**
   * The text of `absolute`, from the cache when its stamp is unchanged and `changed` is false; with `trusted`, from
   * the cache without a look at the stamp (the caller knows the file did not change). Synchronous on purpose: for
   * thousands of small files, `statSync` takes a third of the time of promise-based `stat`.
   */
  read(absolute: string, changed: boolean, trusted = false): string {
    const known = this.#entries.get(absolute);
    if (known && trusted && !changed) return known.text;
    const stamp = stampOf(absolute);
    if (known && !changed && known.stamp === stamp) return known.text;
    const text = readFileSync(absolute, 'utf8');
    if (this.keep) this.#entries.set(absolute, { stamp, text });
    return text;
  }

  /** The files among `files` whose stamp differs from the one cached (or that are not cached): for a sweep. */
  stale(files: Iterable<string>): string[] {
    const found: string[] = [];
    for (const absolute of files) {
      let stamp: string | undefined;
      try {
        stamp = stampOf(absolute);
      } catch {
        stamp = undefined;
      }
      if (stamp === undefined || this.#entries.get(absolute)?.stamp !== stamp) found.push(absolute);
    }
    return found;
  }

  /** Forgets every file not in `present` (deleted or renamed away). */
  retain(present: ReadonlySet<string>): void {
    for (const key of this.#entries.keys()) if (!present.has(key)) this.#entries.delete(key);
  }
}
