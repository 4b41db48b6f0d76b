import { readFile, stat } from 'node:fs/promises';

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

  /** The text of `absolute`, from the cache when its stamp is unchanged and `changed` is false. */
  async read(absolute: string, changed: boolean): Promise<string> {
    const info = await stat(absolute);
    const stamp = `${info.size}:${info.mtimeMs}:${info.ctimeMs}:${info.ino}`;
    const known = this.#entries.get(absolute);
    if (known && !changed && known.stamp === stamp) return known.text;
    const text = await readFile(absolute, 'utf8');
    this.#entries.set(absolute, { stamp, text });
    return text;
  }

  /** Forgets every file not in `present` (deleted or renamed away). */
  retain(present: ReadonlySet<string>): void {
    for (const key of this.#entries.keys()) if (!present.has(key)) this.#entries.delete(key);
  }
}
