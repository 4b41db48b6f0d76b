import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, rmSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { AssetFile } from '../content/discover.js';
import { isInside } from '../content/discover.js';
import { MANIFEST_PATH, parseManifest, sha256Of } from '../publish/manifest.js';
import { type Exchange, loadExchange } from './exchange.js';

/** A rendered file to write, at a path relative to the output directory. */
export interface OutputFile {
  readonly path: string;
  /** Text (pages, feeds) or bytes (the search index). */
  readonly contents: string | Uint8Array;
}

const utf8 = new TextDecoder();

/** The text of a file given as text or as UTF-8 bytes (a page rendered on a worker thread). */
export function textOf(file: OutputFile): string {
  return typeof file.contents === 'string' ? file.contents : utf8.decode(file.contents);
}

/**
 * A file made last, from everything written (`_headers`, the manifest): its text, or its bytes in pieces, each
 * written before the next is asked for (a large site's manifest is never held whole).
 */
export interface SealedFile {
  readonly path: string;
  readonly contents: string | Uint8Array | Iterable<Uint8Array>;
}

/** A file copied as is (from public/), with its hash when already known. */
export interface CopiedFile extends AssetFile {
  readonly sha256?: string | undefined;
  readonly size?: number | undefined;
}

/** What was written: every file's hash and size; pre-compressed copies say what they encode. */
export interface WrittenFile {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  readonly encoding?: 'br' | 'gzip' | undefined;
  /** For a pre-compressed copy: the path of the file it is a copy of. */
  readonly of?: string | undefined;
}

/** A file of the previous output known to be what this build would write: linked, not written again. */
export interface ReusedFile {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

/** The output being replaced, and the hash and size of each of its files (from its manifest). */
export interface PreviousOutput {
  readonly dir: string;
  readonly files: ReadonlyMap<
    string,
    { readonly sha256: string; readonly size: number; readonly encoding?: 'br' | 'gzip' | undefined }
  >;
}

/** What else a write does besides the files. */
export interface WriteOptions {
  /**
   * The output being replaced: a file whose bytes are unchanged is hard-linked from it instead of written (it keeps
   * its inode and mtime, so rsync and uploads see only real changes), and so are its compressed copies.
   */
  readonly previous?: PreviousOutput | undefined;
  /** Files of `previous` this build did not render again because nothing they are made from changed. */
  readonly reused?: readonly ReusedFile[] | undefined;
  /** Files made while the others are written (the search index), written after them. */
  readonly more?: (() => Promise<readonly OutputFile[]>) | undefined;
  /**
   * Write `.br` and `.gz` copies of text files over {@link COMPRESS_MIN} bytes, with the Brotli quality this gives
   * for each path (0-11); undefined writes none.
   */
  readonly compress?: ((path: string) => number) | undefined;
  /** Makes the last files (the manifest, `_headers`) from everything written; they are written just before the swap. */
  readonly seal?: ((written: readonly WrittenFile[]) => readonly SealedFile[]) | undefined;
}

/** How many files a write put into the output, and how many were already there with the same bytes. */
export interface WriteCounts {
  readonly written: number;
  readonly unchanged: number;
}

/** Text files smaller than this are not worth compressing ahead of time. */
export const COMPRESS_MIN = 1024;
const COMPRESSIBLE = /\.(html?|css|m?js|json|xml|svg|txt|map|webmanifest)$/i;
const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/**
 * The `.br` and `.gz` copies of a file. Both are deterministic: the same bytes and settings give the same output
 * (gzip's header carries no time or name from Node's zlib).
 */
export async function compressedCopies(
  file: OutputFile,
  quality: number = constants.BROTLI_MAX_QUALITY,
): Promise<{ path: string; contents: Uint8Array; encoding: 'br' | 'gzip' }[]> {
  const bytes = typeof file.contents === 'string' ? Buffer.from(file.contents) : file.contents;
  if (bytes.byteLength <= COMPRESS_MIN || !COMPRESSIBLE.test(file.path)) return [];
  const [br, gz] = await Promise.all([
    brotli(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: quality,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
      },
    }),
    gzipped(bytes, { level: constants.Z_BEST_COMPRESSION }),
  ]);
  return [
    { path: `${file.path}.br`, contents: br, encoding: 'br' },
    { path: `${file.path}.gz`, contents: gz, encoding: 'gzip' },
  ];
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
 * The output before the current one, kept beside it (`.dist.newsroom-spare`): the next build brings it up to date
 * by writing only what differs from it and swaps it in, instead of making a whole new tree and deleting the old one.
 */
export const sparePath = (out: string): string => path.join(path.dirname(out), `${leftoverPrefix(out)}spare`);

/**
 * Cleans what a killed build left beside `out`: a half-written temporary directory is removed; if the build died
 * between the two renames of the swap, the previous output is put back first. The spare stays.
 */
export async function recoverOutput(out: string): Promise<void> {
  const parent = path.dirname(out);
  const prefix = leftoverPrefix(out);
  const spare = path.basename(sparePath(out));
  const leftovers = (await readdir(parent).catch(() => [] as string[]))
    .filter((n) => n.startsWith(prefix) && n !== spare)
    .sort();
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

/**
 * Why a write failed and what to do, for {@link OutputError}: the disk full, a read-only file system or missing
 * permission are named with their code, so the line says what to fix.
 */
export function describeWriteFailure(cause: unknown, option = '--out'): string {
  const code = (cause as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOSPC':
      return `the disk is full (ENOSPC): free space on it or build with ${option} on another disk`;
    case 'EDQUOT':
      return `the disk quota is used up (EDQUOT): free space or build with ${option} on another disk`;
    case 'EROFS':
      return `the file system is read-only (EROFS): build with ${option} on a writable disk`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code}): make it writable for this user or build with ${option} elsewhere`;
    default: {
      const message = cause instanceof Error ? cause.message : String(cause);
      return code && !message.includes(code) ? `${message} (${code})` : message;
    }
  }
}

/** A site being written: files go into a temporary directory as they come, and replace the output at the end. */
export interface OutputWriter {
  /** Writes a file (or links it from the previous output when its bytes are the same); a promise to wait for
   * when enough writes are in flight. Throws the first failure of an earlier write. */
  write(file: OutputFile): Promise<void> | undefined;
  /** Copies a file as is (or links it when unchanged). */
  copy(file: CopiedFile): Promise<void> | undefined;
  /** Links a file of the previous output that this build did not make again. */
  reuse(file: ReusedFile): Promise<void> | undefined;
  /** Writes `more`, the sealed files and the marker, then swaps the new output in. */
  commit(): Promise<WriteCounts>;
  /** Removes the temporary directory: the previous output stays as it was. */
  abort(): Promise<void>;
}

/**
 * Starts writing a site atomically: everything goes into a temporary directory beside `out`, which replaces `out`
 * only at {@link OutputWriter.commit}, once every file is written. A failure (of a write, `more` or `seal`) or an
 * abort leaves the previous output exactly as it was. Files are written as they are given, so the caller need not
 * hold them all.
 */
export async function openOutput(out: string, options: WriteOptions = {}): Promise<OutputWriter> {
  let count = 0;
  let reusedCount = 0;
  const parent = path.dirname(out);
  const guarded = async (where: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (cause) {
      if (cause instanceof OutputError) throw cause;
      throw new OutputError(`cannot write ${where}: ${describeWriteFailure(cause)}`, where, { cause });
    }
  };
  await guarded(out, async () => {
    await mkdir(parent, { recursive: true });
    await recoverOutput(out);
  });
  await assertOwned(out);
  const id = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = path.join(parent, `${leftoverPrefix(out)}tmp-${id}`);
  // Loaded while the build works, for the swap at the end.
  const exchanging = loadExchange();
  // The spare, when there is one and its manifest says what it holds, becomes the new tree: only files that differ
  // are written and files the build does not make are deleted. Renamed first, so a killed build leaves it as a
  // temporary directory that the next build removes.
  const recycled = options.previous ? await recycle(sparePath(out), temp) : undefined;
  // A failure names the folder it is made in: the temporary name would mean nothing to the reader.
  if (!recycled) await guarded(parent, () => mkdir(temp).then(() => undefined));
  const produced = new Set<string>();
  const target = (relative: string): string => {
    const full = path.resolve(temp, relative);
    if (!isInside(temp, full) || full === temp) throw new Error(`refusing to write outside the output: ${relative}`);
    return full;
  };
  // Hashes are only for `seal` (the manifest) and for comparing with the previous output.
  const written: WrittenFile[] | undefined = options.seal ? [] : undefined;
  // Directories made in the temporary tree: one mkdir each, not one per file.
  const made = new Set<string>([temp]);
  // A recycled tree shares inodes with the live output (unchanged files are hard links): a file is never written in
  // place there, but written beside and renamed over, which makes a new inode.
  const put = (relative: string, write: (full: string) => Promise<void>) =>
    guarded(path.join(out, relative), async () => {
      const full = target(relative);
      const dir = path.dirname(full);
      if (!made.has(dir)) {
        await mkdir(dir, { recursive: true }).catch(async (cause: unknown) => {
          // In a recycled tree, a file of the old output where this build has a folder goes first.
          if (!recycled) throw cause;
          let at = temp;
          for (const segment of path.relative(temp, dir).split(path.sep)) {
            at = path.join(at, segment);
            if ((await stat(at).catch(() => undefined))?.isFile()) await rm(at);
          }
          await mkdir(dir, { recursive: true });
        });
        made.add(dir);
      }
      produced.add(relative);
      if (recycled) {
        const beside = `${full}.newsroom-${id}`;
        await write(beside);
        // A folder of the old tree where this build has a file (rare: a page became a file) goes first.
        await rename(beside, full).catch(async () => {
          await rm(full, { recursive: true, force: true });
          await rename(beside, full);
        });
      } else {
        await write(full);
      }
      count++;
    });
  /** Whether the recycled tree already holds exactly these bytes at `relative` (then nothing needs doing). */
  const alreadyThere = (relative: string, sha256: string | undefined, size: number | undefined): boolean => {
    const there = recycled?.get(relative);
    if (!there || sha256 === undefined || there.sha256 !== sha256 || there.size !== size) return false;
    produced.add(relative);
    count++;
    return true;
  };
  const previous = options.previous;
  /** Links `relative` from the previous output; false when it cannot (gone, another file system). */
  // Synchronous on purpose: a link is one short system call, and thousands of them through the thread pool cost
  // several times as much as in a loop (a warm build links every unchanged page).
  const linked = async (relative: string): Promise<boolean> => {
    if (!previous) return false;
    try {
      const full = target(relative);
      const dir = path.dirname(full);
      if (!made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      if (recycled?.has(relative)) rmSync(full, { force: true });
      linkSync(path.join(previous.dir, relative), full);
      produced.add(relative);
      count++;
      return true;
    } catch {
      return false;
    }
  };
  const note = (entry: WrittenFile) => written?.push(entry);
  /** The `.br` and `.gz` copies of a file: linked when the file is unchanged and the previous output had them. */
  const copiesOf = async (
    filePath: string,
    contents: () => Promise<string | Uint8Array> | string | Uint8Array,
    unchanged: boolean,
  ) => {
    if (!options.compress) return;
    const kept = [
      { path: `${filePath}.br`, encoding: 'br' as const },
      { path: `${filePath}.gz`, encoding: 'gzip' as const },
    ].map((copy) => ({ ...copy, was: previous?.files.get(copy.path) }));
    if (unchanged && kept.every((copy) => copy.was)) {
      const all = await Promise.all(
        kept.map(async (copy) => alreadyThere(copy.path, copy.was?.sha256, copy.was?.size) || linked(copy.path)),
      );
      if (all.every(Boolean)) {
        reusedCount += kept.length;
        for (const copy of kept) {
          if (copy.was) note({ path: copy.path, ...copy.was, encoding: copy.encoding, of: filePath });
        }
        return;
      }
    }
    const file = { path: filePath, contents: await contents() };
    for (const copy of await compressedCopies(file, options.compress(filePath))) {
      await put(copy.path, (full) => writeFile(full, copy.contents));
      note({
        path: copy.path,
        sha256: sha256Of(copy.contents),
        size: copy.contents.byteLength,
        encoding: copy.encoding,
        of: filePath,
      });
    }
  };
  const writeOne = (file: OutputFile) => async () => {
    const size = typeof file.contents === 'string' ? Buffer.byteLength(file.contents) : file.contents.byteLength;
    const sha256 = previous || written ? sha256Of(file.contents) : '';
    const was = previous?.files.get(file.path);
    const unchanged =
      was?.sha256 === sha256 &&
      was.size === size &&
      (alreadyThere(file.path, sha256, size) || (await linked(file.path)));
    if (unchanged) reusedCount++;
    else await put(file.path, (full) => writeFile(full, file.contents));
    note({ path: file.path, sha256, size });
    await copiesOf(file.path, () => file.contents, unchanged);
  };
  const reuseOne = (file: ReusedFile) => async () => {
    if (!alreadyThere(file.path, file.sha256, file.size) && !(await linked(file.path))) {
      // The link was refused (another user's file, with the kernel's protected_hardlinks; another file system):
      // the bytes are copied instead.
      const source = path.join(out, file.path);
      if (!(await exists(source))) {
        throw new OutputError(`cannot reuse ${file.path}: it is gone from ${out}; build again`, out);
      }
      await put(file.path, (full) => copyFile(source, full));
    }
    reusedCount++;
    note(file);
    await copiesOf(file.path, () => readFile(path.join(out, file.path)), true);
  };
  const copyOne = (copy: CopiedFile) => async () => {
    const was = previous?.files.get(copy.outputPath);
    if (
      was &&
      was.sha256 === copy.sha256 &&
      was.size === copy.size &&
      (alreadyThere(copy.outputPath, copy.sha256, copy.size) || (await linked(copy.outputPath)))
    ) {
      reusedCount++;
    } else {
      await put(copy.outputPath, (full) => copyFile(copy.absolutePath, full));
    }
    if (!written) return;
    if (copy.sha256 !== undefined && copy.size !== undefined) {
      written.push({ path: copy.outputPath, sha256: copy.sha256, size: copy.size });
    } else {
      const bytes = await readFile(target(copy.outputPath));
      written.push({ path: copy.outputPath, sha256: sha256Of(bytes), size: bytes.byteLength });
    }
  };
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const queue = (job: () => Promise<void>): Promise<void> | undefined => {
    if (failure !== undefined) throw failure;
    const running: Promise<void> = job()
      .catch((cause: unknown) => {
        failure ??= cause;
      })
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
    return inFlight.size >= WRITE_BATCH ? Promise.race(inFlight) : undefined;
  };
  const drain = async (): Promise<void> => {
    while (inFlight.size > 0) await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
  };
  const all = async (jobs: readonly (() => Promise<void>)[]): Promise<void> => {
    for (const job of jobs) {
      const busy = queue(job);
      if (busy) await busy;
    }
    await drain();
  };
  const abort = async (): Promise<void> => {
    await Promise.allSettled(inFlight);
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
  };
  return {
    write: (file) => queue(writeOne(file)),
    copy: (file) => queue(copyOne(file)),
    reuse: (file) => {
      // Most files of a warm build are already in the recycled tree: nothing to do, and no job to queue.
      if (!options.compress && failure === undefined && alreadyThere(file.path, file.sha256, file.size)) {
        reusedCount++;
        note(file);
        return undefined;
      }
      return queue(reuseOne(file));
    },
    abort,
    commit: async () => {
      try {
        await drain();
        if (options.more) await all((await options.more()).map(writeOne));
        const last = written ? (options.seal?.(written) ?? []) : [];
        await all(
          [...last, { path: MARKER, contents: MARKER_TEXT }].map(
            (f) => () => put(f.path, (full) => writeFile(full, f.contents)),
          ),
        );
        if (recycled) await guarded(out, () => removeStale(temp, recycled, produced));
        const old = path.join(parent, `${leftoverPrefix(out)}old-${id}`);
        await guarded(out, async () => swapIn({ temp, out, old }, await exchanging));
        return { written: count - reusedCount, unchanged: reusedCount };
      } catch (cause) {
        await abort();
        throw cause;
      }
    },
  };
}

/**
 * Puts the finished tree `temp` in place of `out`; the previous output becomes the spare. With `exchange`, `out` is
 * swapped in one system call and is never missing. Without it (off Linux, or a file system that cannot), it takes
 * two renames, and a build killed between them leaves no `out` until the next one puts the previous output back
 * (see {@link recoverOutput}).
 */
export async function swapIn(
  paths: {
    readonly temp: string;
    readonly out: string;
    /** Where the previous output is put between the two renames, when they are needed. */
    readonly old: string;
  },
  exchange: Exchange | undefined,
): Promise<void> {
  const { temp, out } = paths;
  if (!(await exists(out))) {
    await rename(temp, out);
    return;
  }
  let old = temp;
  if (!exchange?.(temp, out)) {
    old = paths.old;
    await rename(out, old);
    await rename(temp, out);
  }
  // Kept as the spare for the next build (a build that did not recycle one leaves none to replace). Killed before
  // this, the previous output is a leftover that the next build removes.
  await rm(sparePath(out), { recursive: true, force: true });
  await rename(old, sparePath(out));
}

/**
 * Takes the spare as the new output's tree (renamed to `temp`), with what its manifest says it holds; undefined
 * (and the spare removed) when there is no spare or no readable manifest in it.
 */
async function recycle(
  spare: string,
  temp: string,
): Promise<Map<string, { readonly sha256: string; readonly size: number }> | undefined> {
  if (!(await exists(spare))) return undefined;
  let text: string;
  try {
    text = await readFile(path.join(spare, MANIFEST_PATH), 'utf8');
  } catch {
    await rm(spare, { recursive: true, force: true }).catch(() => undefined);
    return undefined;
  }
  try {
    const manifest = parseManifest(text, MANIFEST_PATH);
    await rename(spare, temp);
    return new Map(manifest.files.map((f) => [f.path, { sha256: f.sha256, size: f.size }]));
  } catch {
    await rm(spare, { recursive: true, force: true }).catch(() => undefined);
    return undefined;
  }
}

/**
 * Deletes from a recycled tree every file this build did not make (those its manifest lists, and Newsroom's own
 * files such as a publish's purge list), and the folders that leaves empty.
 */
async function removeStale(
  temp: string,
  recycled: ReadonlyMap<string, unknown>,
  produced: ReadonlySet<string>,
): Promise<void> {
  const own = await readdir(path.join(temp, '.newsroom')).catch(() => [] as string[]);
  const candidates = [...recycled.keys(), ...own.map((name) => `.newsroom/${name}`)];
  const emptied = new Set<string>();
  for (const relative of candidates) {
    if (produced.has(relative)) continue;
    await rm(path.join(temp, relative), { recursive: true, force: true });
    emptied.add(path.dirname(relative));
  }
  // Deepest first, so a folder emptied by its children's removal goes too; a folder with files stays.
  const folders = new Set<string>();
  for (let dir of emptied) {
    for (; dir !== '.' && dir !== ''; dir = path.posix.dirname(dir)) folders.add(dir);
  }
  for (const dir of [...folders].sort((a, b) => b.length - a.length)) {
    await rmdir(path.join(temp, dir)).catch(() => undefined);
  }
}

/** Writes the whole site atomically, as {@link openOutput} does, from files held in memory. */
export async function writeSite(
  out: string,
  files: readonly OutputFile[],
  copies: readonly CopiedFile[],
  options: WriteOptions = {},
): Promise<WriteCounts> {
  const writer = await openOutput(out, options);
  try {
    for (const copy of copies) await writer.copy(copy);
    for (const file of files) await writer.write(file);
    for (const file of options.reused ?? []) await writer.reuse(file);
  } catch (cause) {
    await writer.abort();
    throw cause;
  }
  return writer.commit();
}
