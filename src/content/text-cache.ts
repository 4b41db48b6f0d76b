import { readFileSync, statSync } from 'node:fs';

const stampOf = (absolute: string): { readonly stamp: string; readonly size: number } => {
  const info = statSync(absolute);
  return { stamp: `${info.size}:${info.mtimeMs}:${info.ctimeMs}:${info.ino}`, size: info.size };
};

interface Entry {
  readonly stamp: string;
  /** Undefined for a file over the size it may be read at: it was stat-ed, never read. */
  readonly text: string | undefined;
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
   * the cache without a look at the stamp (the caller knows the file did not change); undefined, unread, when the
   * file is over `maxBytes`. Synchronous on purpose: for thousands of small files, `statSync` takes a third of the
   * time of promise-based `stat`.
   */
  read(absolute: string, changed: boolean, trusted = false, maxBytes = Number.POSITIVE_INFINITY): string | undefined {
    const known = this.#entries.get(absolute);
    if (known && trusted && !changed) return known.text;
    const { stamp, size } = stampOf(absolute);
    if (known && !changed && known.stamp === stamp) return known.text;
    // Over the size limit: not read (a 600 MB file would not even fit in a string), but remembered with its stamp,
    // so the sweep does not take it for changed again and again.
    const text = size > maxBytes ? undefined : readFileSync(absolute, 'utf8');
    if (this.keep) this.#entries.set(absolute, { stamp, text });
    return text;
  }

  /** The files among `files` whose stamp differs from the one cached (or that are not cached): for a sweep. */
  stale(files: Iterable<string>): string[] {
    const found: string[] = [];
    for (const absolute of files) {
      let stamp: string | undefined;
      try {
        stamp = stampOf(absolute).stamp;
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
