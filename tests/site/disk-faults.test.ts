import { execFileSync } from 'node:child_process';
import { chown, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newsroom } from '../helpers/newsroom-process.js';
import { makeSite, release, tempDir } from '../helpers/site.js';
import { hashTree } from '../helpers/tree.js';

// A full disk and a read-only one are made for real: a small tmpfs mounted by the test; a folder the user may not
// write to, by running the build as root without its override capabilities. All need root, as on this machine and in CI; elsewhere the tests are
// skipped, saying why.
const ROOT = process.getuid?.() === 0;
if (!ROOT)
  console.warn('disk-faults: skipped, mounting a tmpfs and dropping capabilities need root (run as root or in CI)');

const mounted: string[] = [];
afterEach(() => {
  for (const dir of mounted.splice(0)) execFileSync('umount', ['--lazy', dir]);
});

/** A tmpfs of `size` (e.g. `2m`) mounted at a new folder, unmounted after the test. */
async function smallDisk(size: string): Promise<string> {
  const dir = path.join(await tempDir(), 'disk');
  await mkdir(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounted.push(dir);
  return dir;
}

/** `count` releases titled with `version`, each with a body of `lines` lines. */
function releases(count: number, version: string, lines = 40): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const day = String((i % 28) + 1).padStart(2, '0');
    files[`content/news/r${i}.md`] = release(
      { title: `Release ${i} ${version}`, date: `2020-01-${day}` },
      `Text ${version}.\n`.repeat(lines),
    );
  }
  return files;
}

async function replaceReleases(root: string, files: Record<string, string>): Promise<void> {
  await rm(path.join(root, 'content/news'), { recursive: true });
  await mkdir(path.join(root, 'content/news'));
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(root, file), text);
}

const build = (root: string, ...extra: string[]) =>
  newsroom(['build', '--root', root, '--now', '2026-01-01T00:00:00Z', '--no-search', ...extra]);

/** Names the build made beside the output in `dir`. */
const besides = async (dir: string) => (await readdir(dir)).filter((n) => n.includes('newsroom-')).sort();

describe.skipIf(!ROOT)('the output on a full, read-only or forbidden disk', () => {
  it('stops with one clear line naming the path when the disk fills, and keeps the previous output', async () => {
    const disk = await smallDisk('3m');
    const out = path.join(disk, 'dist');
    const root = await makeSite(releases(10, 'v1'));
    const first = await build(root, '--out', out);
    expect(first.code, first.stderr).toBe(0);
    const before = await hashTree(out);

    // 400 releases make about 8 MB of pages: they do not fit beside the previous output.
    await replaceReleases(root, releases(400, 'v2'));
    const full = await build(root, '--out', out);
    expect(full.code).toBe(1);
    const lines = full.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^newsroom: cannot write ${disk}/dist/\\S+: the disk is full \\(ENOSPC\\): free space on it or build with --out on another disk; the previous output is unchanged$`,
      ),
    );
    expect(await hashTree(out)).toEqual(before);
    expect(await besides(disk)).toEqual([]);

    // A site that fits again: built, and nothing is left beside it but the spare.
    await replaceReleases(root, releases(12, 'v3'));
    const next = await build(root, '--out', out);
    expect(next.code, next.stderr).toBe(0);
    expect(Object.keys(await hashTree(out))).toContain('news/r11/index.html');
    expect(await besides(disk)).toEqual(['.dist.newsroom-spare']);
  }, 60_000);

  it('stops with one clear line when the output is on a read-only file system, and keeps the previous output', async () => {
    const disk = await smallDisk('8m');
    const out = path.join(disk, 'dist');
    const root = await makeSite(releases(10, 'v1'));
    expect((await build(root, '--out', out)).code).toBe(0);
    const before = await hashTree(out);
    execFileSync('mount', ['-o', 'remount,ro', disk]);

    await replaceReleases(root, releases(10, 'v2'));
    const readOnly = await build(root, '--out', out);
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr.trim()).toBe(
      `newsroom: cannot write ${disk}: the file system is read-only (EROFS): build with --out on a writable disk; the previous output is unchanged`,
    );
    expect(await hashTree(out)).toEqual(before);

    execFileSync('mount', ['-o', 'remount,rw', disk]);
    expect((await build(root, '--out', out)).code).toBe(0);
    expect(await besides(disk)).toEqual(['.dist.newsroom-spare']);
  });

  it('stops with one clear line when the user may not write beside the output, and keeps it', async () => {
    // Root writes anywhere: these builds run as root without the capabilities that let it ignore file modes and
    // ownership, so the kernel checks them as for any user (setpriv, from util-linux).
    const asUser = ['setpriv', '--bounding-set=-dac_override,-dac_read_search,-fowner', '--'];
    const nobody = 65534;
    const parent = path.join(await tempDir(), 'site-output');
    await mkdir(parent, { mode: 0o755 });
    await chown(parent, nobody, nobody);
    const out = path.join(parent, 'dist');
    const root = await makeSite(releases(10, 'v1'));
    expect((await build(root, '--out', out)).code).toBe(0);
    const before = await hashTree(out);

    await replaceReleases(root, releases(10, 'v2'));
    const args = ['build', '--root', root, '--now', '2026-01-01T00:00:00Z', '--no-search', '--out', out];
    const denied = await newsroom(args, {}, asUser);
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim()).toBe(
      `newsroom: cannot write ${parent}: permission denied (EACCES): make it writable for this user or build with --out elsewhere; the previous output is unchanged`,
    );
    expect(await hashTree(out)).toEqual(before);
    expect(await besides(parent)).toEqual([]);

    // Writable now, but the previous output belongs to another user: the kernel (protected_hardlinks) refuses
    // links to its files, so unchanged files are copied, and the build gives exactly the new site.
    await chown(parent, 0, 0);
    execFileSync('chown', ['-R', `${nobody}:${nobody}`, out]);
    const allowed = await newsroom(args, {}, asUser);
    expect(allowed.code, allowed.stderr).toBe(0);
    const reference = await build(root, '--out', path.join(root, 'reference'));
    expect(reference.code).toBe(0);
    expect(await hashTree(out)).toEqual(await hashTree(path.join(root, 'reference')));
  });

  it('finishes the build when the cache is on a full disk, warns once, and leaves no damaged entry', async () => {
    const disk = await smallDisk('64k');
    const cache = path.join(disk, 'cache');
    const root = await makeSite(releases(100, 'v1'));
    const reference = await build(root, '--out', path.join(root, 'reference'));
    expect(reference.code, reference.stderr).toBe(0);

    const full = await build(root, '--cache-dir', cache);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stderr.trim()).toMatch(
      new RegExp(
        `^newsroom: warning: could not write to the cache in ${cache} \\(\\d+ entries\\): the disk is full \\(ENOSPC\\): free space on it or build with --cache-dir on another disk; this build is complete, the next one will redo the work it could not keep$`,
      ),
    );
    expect(await hashTree(path.join(root, 'dist'))).toEqual(await hashTree(path.join(root, 'reference')));
    // Whatever was kept is whole: no temporary file is left, and the next build (with room) uses the entries.
    const left = await readdir(cache, { recursive: true });
    expect(left.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    execFileSync('mount', ['-o', 'remount,size=64m', disk]);
    const roomy = await build(root, '--cache-dir', cache, '--out', path.join(root, 'roomy'));
    expect(roomy.code, roomy.stderr).toBe(0);
    expect(roomy.stderr).toBe('');
    expect(await hashTree(path.join(root, 'roomy'))).toEqual(await hashTree(path.join(root, 'reference')));
    const again = await build(root, '--cache-dir', cache, '--out', path.join(root, 'again'));
    expect(again.stdout).toMatch(/100 of 100 sources from the cache/);
  }, 60_000);
});
