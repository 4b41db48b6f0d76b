import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';

/** The first bytes of every entry: the format's name and version. */
const MAGIC = Buffer.from('NEWSROOM-CACHE-1\n');
const DIGEST = 32;

/** Directories this thread has made or found: one `mkdir` each, not one per entry. */
const made = new Set<string>();

/** What the cache did in one build, for the summary line and the tests. */
export interface CacheCounts {
  hits: number;
  misses: number;
  /** Entries whose checksum or structure was wrong: removed and made again, never used. */
  corrupt: number;
  /** Entries that could not be written (read-only or full disk): the build goes on without them. */
  unwritable: number;
}

/**
 * A persistent, content-addressed store under a directory CI may keep between runs (`.cache/newsroom`). An entry is
 * named by a key that hashes everything its value is made from, so it is never stale, only unused; the directory is
 * safe to delete at any time. Each entry carries a SHA-256 of its bytes: a truncated or corrupted entry is detected,
 * removed and made again, never served. Writes go to a temporary file renamed into place, so a killed build leaves
 * no half-written entry under a real name.
 */
export class DiskCache {
  readonly counts: CacheCounts = { hits: 0, misses: 0, corrupt: 0, unwritable: 0 };
  /** The error code of the first write that failed on this thread (ENOSPC, EROFS ...), for the build's warning. */
  failure: string | undefined;

  constructor(readonly dir: string) {}

  #file(section: string, key: string): string {
    return path.join(this.dir, section, key.slice(0, 2), key);
  }

  /**
   * The value stored under `key`, or undefined when there is none or it is damaged (then it is removed, unless
   * `keep`: left for the load that makes it again to find and count).
   */
  read(section: string, key: string, { keep = false }: { keep?: boolean } = {}): unknown {
    const file = this.#file(section, key);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      this.counts.misses++;
      return undefined;
    }
    const value = decode(bytes);
    if (value === DAMAGED) {
      if (keep) return undefined;
      this.counts.corrupt++;
      this.counts.misses++;
      rmSync(file, { force: true });
      return undefined;
    }
    this.counts.hits++;
    return value;
  }

  /**
   * Stores `value` (anything structured clone can copy) under `key`; false when it could not (a failure only costs
   * the next build time).
   */
  write(section: string, key: string, value: unknown): boolean {
    return this.#store(this.#file(section, key), value);
  }

  /**
   * The value of a named file of the cache (not content-addressed: each write replaces it), checked like an entry;
   * undefined when it is missing or damaged. Not counted as a hit or a miss.
   */
  readNamed(name: string): unknown {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path.join(this.dir, name));
    } catch {
      return undefined;
    }
    const value = decode(bytes);
    return value === DAMAGED ? undefined : value;
  }

  /** Replaces a named file of the cache, atomically; false when it could not. */
  writeNamed(name: string, value: unknown): boolean {
    return this.#store(path.join(this.dir, name), value);
  }

  #store(file: string, value: unknown): boolean {
    const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      const dir = path.dirname(file);
      if (!made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      writeFileSync(temp, encode(value));
      renameSync(temp, file);
      return true;
    } catch (cause) {
      this.counts.unwritable++;
      this.failure ??= (cause as NodeJS.ErrnoException).code ?? 'EIO';
      made.delete(path.dirname(file));
      rmSync(temp, { force: true });
      return false;
    }
  }
}

const DAMAGED = Symbol('damaged');

/** An entry's bytes: the magic, the SHA-256 of the payload, the payload (V8's serialization of the value). */
export function encode(value: unknown): Buffer {
  const payload = serialize(value);
  return Buffer.concat([MAGIC, createHash('sha256').update(payload).digest(), payload]);
}

function decode(bytes: Buffer): unknown {
  if (bytes.length < MAGIC.length + DIGEST || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return DAMAGED;
  const digest = bytes.subarray(MAGIC.length, MAGIC.length + DIGEST);
  const payload = bytes.subarray(MAGIC.length + DIGEST);
  if (!createHash('sha256').update(payload).digest().equals(digest)) return DAMAGED;
  try {
    return deserialize(payload);
  } catch {
    return DAMAGED;
  }
}
