import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LIVE_RELOAD_TAG } from '../../src/dev/dev-output.js';

/** Every file below `dir`, relative path -> contents, sorted by path. */
export async function readTree(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
  return new Map(await Promise.all(files.map(async (f) => [f, await readFile(path.join(dir, f), 'latin1')] as const)));
}

/**
 * The dev server's directory as `newsroom build` would have written it: each page must carry the live-reload tag
 * exactly once, and is compared without it.
 */
export async function readDevTree(dir: string): Promise<Map<string, string>> {
  const tree = await readTree(dir);
  for (const [file, contents] of tree) {
    if (!file.endsWith('.html')) continue;
    const parts = contents.split(LIVE_RELOAD_TAG);
    if (parts.length !== 2) throw new Error(`${file} has ${parts.length - 1} live-reload tags, not 1`);
    tree.set(file, parts.join(''));
  }
  return tree;
}

/** Every file below `dir`, relative path -> sha256 of its bytes (empty when `dir` does not exist). */
export async function hashTree(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    result[path.relative(dir, full)] = createHash('sha256')
      .update(await readFile(full))
      .digest('hex');
  }
  return result;
}
