import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AssetFile } from '../content/discover.js';
import { isInside } from '../content/discover.js';

/** A rendered file to write, at a path relative to the output directory. */
export interface OutputFile {
  readonly path: string;
  /** Text (pages, feeds) or bytes (the search index). */
  readonly contents: string | Uint8Array;
}

/** A write that failed on the file system (read-only, disk full ...), naming the path. */
export class OutputError extends Error {
  constructor(
    message: string,
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'OutputError';
  }
}

/** The file that marks a directory as Newsroom's output, so it is never mistaken for (and swapped with) user data. */
export const MARKER = '.newsroom/build.json';
const MARKER_TEXT = `${JSON.stringify({ generator: 'newsroom' })}\n`;
const WRITE_BATCH = 32;

const exists = async (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

const leftoverPrefix = (out: string): string => `.${path.basename(out)}.newsroom-`;

/**
 * Cleans what a killed build left beside `out`: a half-written temporary directory is removed; if the build died
 * between the two renames of the swap, the previous output is put back first.
 */
export async function recoverOutput(out: string): Promise<void> {
  const parent = path.dirname(out);
  const prefix = leftoverPrefix(out);
  const leftovers = (await readdir(parent).catch(() => [] as string[])).filter((n) => n.startsWith(prefix)).sort();
  const olds = leftovers.filter((n) => n.startsWith(`${prefix}old-`));
  const lastOld = olds.at(-1);
  if (lastOld && !(await exists(out))) await rename(path.join(parent, lastOld), out);
  for (const name of leftovers) await rm(path.join(parent, name), { recursive: true, force: true });
}

async function assertOwned(out: string): Promise<void> {
  const entries = await readdir(out).catch(() => undefined);
  if (entries === undefined || entries.length === 0) return;
  if (!(await exists(path.join(out, MARKER)))) {
    throw new OutputError(
      `${out} exists and was not written by newsroom: remove it or choose another --out (it would be replaced)`,
      out,
    );
  }
}

function describe(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'permission denied (read-only?)';
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * Writes the whole site atomically: everything goes into a temporary directory beside `out`, which replaces `out`
 * only once every file is written. A failure (here or in `more`) leaves the previous output exactly as it was.
 */
export async function writeSite(
  out: string,
  files: readonly OutputFile[],
  assets: readonly AssetFile[],
  /** Files made while the others are written (the search index), written last, before the swap. */
  more?: () => Promise<readonly OutputFile[]>,
): Promise<void> {
  const parent = path.dirname(out);
  const guarded = async (where: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (cause) {
      if (cause instanceof OutputError) throw cause;
      throw new OutputError(`cannot write ${where}: ${describe(cause)}`, where, { cause });
    }
  };
  await guarded(out, async () => {
    await mkdir(parent, { recursive: true });
    await recoverOutput(out);
  });
  await assertOwned(out);
  const id = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = path.join(parent, `${leftoverPrefix(out)}tmp-${id}`);
  const target = (relative: string): string => {
    const full = path.resolve(temp, relative);
    if (!isInside(temp, full) || full === temp) throw new Error(`refusing to write outside the output: ${relative}`);
    return full;
  };
  const put = (relative: string, write: (full: string) => Promise<void>) => () =>
    guarded(path.join(out, relative), async () => {
      const full = target(relative);
      await mkdir(path.dirname(full), { recursive: true });
      await write(full);
    });
  try {
    await guarded(temp, () => mkdir(temp).then(() => undefined));
    const jobs = [
      ...assets.map((a) => put(a.outputPath, (full) => copyFile(a.absolutePath, full))),
      ...[...files, { path: MARKER, contents: MARKER_TEXT }].map((f) =>
        put(f.path, (full) => writeFile(full, f.contents)),
      ),
    ];
    const run = async (list: readonly (() => Promise<void>)[]) => {
      for (let i = 0; i < list.length; i += WRITE_BATCH) {
        await Promise.all(list.slice(i, i + WRITE_BATCH).map((job) => job()));
      }
    };
    await run(jobs);
    if (more) await run((await more()).map((f) => put(f.path, (full) => writeFile(full, f.contents))));
    await guarded(out, async () => {
      if (await exists(out)) {
        const old = path.join(parent, `${leftoverPrefix(out)}old-${id}`);
        await rename(out, old);
        await rename(temp, out);
        await rm(old, { recursive: true, force: true });
      } else {
        await rename(temp, out);
      }
    });
  } catch (cause) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw cause;
  }
}
