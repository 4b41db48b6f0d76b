import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The folders of a site root a build reads. */
const INPUTS = ['content', 'templates', 'public'];

/**
 * How recent a change must be for a file's times not to be trusted (nanoseconds): file times come from a coarse
 * clock, so a second same-size edit made within one tick of the stamp would leave them unchanged (git's "racily
 * clean" entries). Generous, to cover file systems with 1 or 2 s times.
 */
const RACY_NS = 2_000_000_000n;

/** Bytes up to which a file changed too recently to trust its times is stamped by its content. */
const RACY_READ_MAX = 64_000_000n;

/** What {@link siteStamp} saw. */
export interface SiteStamp {
  /** A hash over every input file; undefined when a symlink is found (what it points to is not stamped). */
  readonly stamp: string | undefined;
  /**
   * Each file's size, mtime, ctime and inode, by root-relative path (forward slashes); `''` for a file changed
   * too recently for these to be trusted. Taken before any file is read.
   */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * A hash of the name, size, mtime, ctime and inode of every file a build of `root` reads, as make and git judge
 * "unchanged": any edit, touch, rename, new or removed file changes it. A file changed within {@link RACY_NS} of
 * the stamp is stamped by its content instead, so two edits within one clock tick are still told apart.
 */
export function siteStamp(root: string): SiteStamp {
  const hash = createHash('sha256');
  const stats = new Map<string, string>();
  const racy = BigInt(Date.now()) * 1_000_000n - RACY_NS;
  let symlink = false;
  for (const input of INPUTS) {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(path.join(root, input), { recursive: true, withFileTypes: true });
    } catch {
      hash.update(`${input} missing\n`);
      continue;
    }
    const files: string[] = [];
    for (const entry of entries) {
      if (entry.isSymbolicLink()) symlink = true;
      else if (entry.isFile()) files.push(path.join(entry.parentPath, entry.name));
    }
    for (const file of files.sort()) {
      const info = statSync(file, { bigint: true });
      const relative = path.relative(root, file).split(path.sep).join('/');
      if (info.ctimeNs >= racy || info.mtimeNs >= racy) {
        stats.set(relative, '');
        // A big file (over any sensible size limit) is not read: a stamp of its own makes the build run.
        const content =
          info.size > RACY_READ_MAX ? randomUUID() : createHash('sha256').update(readFileSync(file)).digest('hex');
        hash.update(`${file}\0${content}\n`);
      } else {
        const stat = `${info.size}:${info.mtimeNs}:${info.ctimeNs}:${info.ino}`;
        stats.set(relative, stat);
        hash.update(`${file}\0${stat}\n`);
      }
    }
  }
  return { stamp: symlink ? undefined : hash.digest('hex'), files: stats };
}
