/**
 * Exchanging two directories in one system call, which Node's fs does not offer: Linux's `renameat2` with
 * `RENAME_EXCHANGE`, called through koffi (a foreign-function interface with prebuilt binaries). The output swap
 * uses it so that `dist` is never missing, not even between two renames: a build killed at any moment leaves
 * exactly the previous site or exactly the new one.
 */

/**
 * Swaps what the paths `a` and `b` name, atomically: true when done; false when this file system cannot (then
 * the caller renames twice). Other failures (read-only, permission denied) throw an error with their `code`.
 */
export type Exchange = (a: string, b: string) => boolean;

const AT_FDCWD = -100;
const RENAME_EXCHANGE = 2;
/** Errors that say the kernel or the file system has no exchange, rather than that this one failed. */
const UNSUPPORTED = new Set(['EINVAL', 'ENOSYS', 'ENOTSUP', 'EOPNOTSUPP']);

let loading: Promise<Exchange | undefined> | undefined;

/**
 * The system's exchange, loaded once; undefined off Linux, or where koffi or glibc's `renameat2` (2.28, 2018)
 * cannot be loaded. Cheap to call early: the load (about 30 ms) runs while a build does its work.
 */
export function loadExchange(): Promise<Exchange | undefined> {
  loading ??= load().catch(() => undefined);
  return loading;
}

async function load(): Promise<Exchange | undefined> {
  if (process.platform !== 'linux') return undefined;
  const koffi = (await import('koffi')).default;
  // koffi types every foreign function as taking and giving `any`: this one's C signature is below.
  const renameat2: (olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number) => number =
    koffi
      .load('libc.so.6')
      .func('int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)');
  const names = new Map(Object.entries(koffi.os.errno).map(([name, number]) => [number, name]));
  return (a, b) => {
    if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) === 0) return true;
    const code = names.get(koffi.errno()) ?? `errno ${koffi.errno()}`;
    if (UNSUPPORTED.has(code)) return false;
    throw Object.assign(new Error(`${code}: cannot exchange ${a} and ${b}`), { code, path: b });
  };
}
