import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The folders of a site root a build reads. */
const INPUTS = ['content', 'templates', 'public'];

/**
 * A hash of the name, size, mtime, ctime and inode of every file a build of `root` reads, as make and git judge
 * "unchanged": any edit, touch, rename, new or removed file changes it (ctime changes with every write, so even a
 * same-size edit within one mtime tick does). Undefined when a symlink is found: what it points to is not stamped,
 * so such a site is always built.
 */
export function siteStamp(root: string): string | undefined {
  const hash = createHash('sha256');
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
      if (entry.isSymbolicLink()) return undefined;
      if (entry.isFile()) files.push(path.join(entry.parentPath, entry.name));
    }
    for (const file of files.sort()) {
      const info = statSync(file, { bigint: true });
      hash.update(`${file}\0${info.size}\0${info.mtimeNs}\0${info.ctimeNs}\0${info.ino}\n`);
    }
  }
  return hash.digest('hex');
}
