import { type Diagnostic, error, type Position, START } from '../diagnostics.js';
import type { StoredResult } from './load-batch.js';

/**
 * The input limits of a build. A file over one is reported (never silently cut) and not loaded; `fileSize`,
 * `frontMatter`, `files` and `markdownSeconds` are set in site.yaml's `limits` block, `nesting` is fixed.
 */
export interface Limits {
  /** Bytes of one Markdown or data file under content/ (1 MB = 1,000,000 bytes). */
  readonly fileSize: number;
  /**
   * Bytes of one file's YAML front matter: the yaml package parses a flow list at about 40 µs an item, so 32 kB of
   * `[x,x,...]` takes about half a second; real front matter is a few kB.
   */
  readonly frontMatter: number;
  /** Releases and pages in the site, together. */
  readonly files: number;
  /** Levels of quotes and lists inside each other in Markdown, and of lists and maps inside each other in YAML. */
  readonly nesting: number;
  /**
   * Seconds one file may take to load (front matter, checks, Markdown). remark takes time quadratic in the length
   * of some texts (runs of unmatched `*` or `_`: 100 kB of `*a` takes 20 s, 5 MB would take days), and no size
   * limit can tell those from a long real release (4.9 MB in 9 s), so the file is stopped by the clock instead.
   */
  readonly markdownSeconds: number;
}

/** The limits unless site.yaml's `limits` says otherwise. */
export const DEFAULT_LIMITS: Limits = {
  fileSize: 5_000_000,
  frontMatter: 32_000,
  files: 200_000,
  nesting: 100,
  markdownSeconds: 30,
};

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, kb: 1_000, mb: 1_000_000, gb: 1_000_000_000 };

/** A size as written in site.yaml, `5 MB`, `500 kB` or a number of bytes, in bytes; undefined when unreadable. */
export function parseSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = UNITS[match?.[2]?.toLowerCase() ?? '-'];
  if (!match || unit === undefined) return undefined;
  const bytes = Math.round(Number(match[1]) * unit);
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** A byte count as people read it: `5 MB`, `120 kB`, `900 bytes`. */
export function formatSize(bytes: number): string {
  if (bytes >= 1_000_000) return `${Number((bytes / 1_000_000).toFixed(2))} MB`;
  if (bytes >= 1_000) return `${Number((bytes / 1_000).toFixed(1))} kB`;
  return `${bytes} bytes`;
}

/** The UTF-8 size of `text`, without encoding it when it is surely under `limit`. */
export function byteSize(text: string, limit: number): number {
  // A UTF-16 code unit is at most 3 bytes of UTF-8.
  return text.length * 3 <= limit ? text.length : Buffer.byteLength(text, 'utf8');
}

/** The error for a file of `bytes` over the file size limit. */
export function fileSizeError(file: string, bytes: number, limit: number): Diagnostic {
  return error(
    file,
    START,
    'limits/file-size',
    `the file is ${formatSize(bytes)}, over the limit of ${formatSize(limit)} a file: split it, or raise limits.fileSize in site.yaml`,
  );
}

/** The error for front matter of `bytes` over its limit. */
export function frontMatterSizeError(file: string, bytes: number, limit: number): Diagnostic {
  return error(
    file,
    START,
    'limits/front-matter',
    `the front matter is ${formatSize(bytes)}, over the limit of ${formatSize(limit)}: keep long text in the body, or raise limits.frontMatter in site.yaml`,
  );
}

/** The error for nesting deeper than the limit, at the place it goes over. */
export function nestingError(file: string, at: Position, what: 'Markdown' | 'YAML', limit: number): Diagnostic {
  const how =
    what === 'Markdown'
      ? 'quotes and lists are nested inside each other'
      : 'lists and maps (or aliases) are nested inside each other';
  return error(
    file,
    at,
    'limits/nesting',
    `${what}: ${how} more than ${limit} levels deep: flatten the structure (this limit is fixed)`,
  );
}

/** The error for a site with more releases and pages than the limit, reported on site.yaml where it is raised. */
export function tooManyFiles(siteFile: string, count: number, limit: number): Diagnostic {
  return error(
    siteFile,
    START,
    'limits/files',
    `the site has ${count} releases and pages, more than the limit of ${limit}: raise limits.files in site.yaml`,
  );
}

/**
 * The error for a file whose loading was stopped after `seconds`: the result depends on the machine and the limit,
 * so it is never cached.
 */
export function markdownTimeError(file: string, seconds: number): Diagnostic {
  return error(
    file,
    START,
    'limits/markdown-time',
    `the Markdown took longer than ${seconds} s to read, so it was stopped: it may hold thousands of unmatched * or _ (split it or simplify it), or raise limits.markdownSeconds in site.yaml`,
  );
}

/**
 * The error for a file whose loading was stopped when its worker thread ran out of memory (a fixed limit: see
 * WorkerPool); like the time limit, it is never cached.
 */
export function markdownMemoryError(file: string): Diagnostic {
  return error(
    file,
    START,
    'limits/markdown-memory',
    'the Markdown took more memory to read than a worker thread has (512 MB), so it was stopped: it may hold thousands of unmatched * or _ (split it or simplify it)',
  );
}

/**
 * The load result of a file refused over a limit (its size, its loading time or memory): keyed '' and never
 * cached, as it depends on the limit, which may be raised, or on the machine.
 */
export function refused(problem: Diagnostic): StoredResult {
  return {
    result: { value: undefined, diagnostics: [problem] },
    key: '',
    stored: false,
    fromDisk: false,
    corrupt: false,
  };
}
