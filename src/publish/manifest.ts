import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import mime from 'mime-types';
import { z } from 'zod';
import { compareText } from '../compare.js';

/** Where the manifest lives, relative to the output directory (and to the bucket prefix once published). */
export const MANIFEST_PATH = '.newsroom/manifest.json';

/**
 * In the bucket only: the fingerprinted files the last publish kept although its build no longer had them (pages
 * cached before it may still ask for them), as `{"paths": [...]}`. Written before the manifest.
 */
export const RETAINED_PATH = '.newsroom/retained.json';

/**
 * What a file is, for caching and for the order of uploads: fingerprinted assets first (nothing refers to them
 * yet), then other files, then pages, then feeds and sitemaps (which announce the pages).
 */
export const FILE_KINDS = ['fingerprinted', 'file', 'page', 'feed'] as const;
/** One of `FILE_KINDS`. */
export type FileKind = (typeof FILE_KINDS)[number];

/** One file of the output. */
export interface ManifestEntry {
  /** Relative to the output directory, forward slashes: `news/x/index.html`, `css/site.3f9a1c2b.css`. */
  readonly path: string;
  /** Hex SHA-256 of the bytes as stored. */
  readonly sha256: string;
  readonly size: number;
  /** The Content-Type to serve it with, with a charset for text. */
  readonly type: string;
  readonly cacheControl: string;
  /** For a pre-compressed copy (`x.html.br`): the Content-Encoding it is served with. */
  readonly encoding?: 'br' | 'gzip' | undefined;
  readonly kind: FileKind;
  /**
   * The site files it was made from, root-relative (`content/news/x.md`, `public/css/site.css`); empty for a
   * pre-compressed copy (its original lists them) and for files made from the whole site.
   */
  readonly sources: readonly string[];
}

/** Everything a build wrote, for `newsroom diff` and `newsroom publish`. */
export interface Manifest {
  readonly generator: 'newsroom';
  readonly version: 1;
  /** The absolute site URL the output was built for, without a trailing slash. */
  readonly baseUrl: string;
  /** The moment embargoes were judged against (`--now`), ISO 8601 UTC. */
  readonly now: string;
  /** The earliest embargo still in the future: when the next build should run; null when none waits. */
  readonly nextBuildAt: string | null;
  /** A `--drafts` preview: it shows drafts and embargoed releases, so `publish` refuses it unless told. */
  readonly drafts: boolean;
  /** Every output file except Newsroom's own bookkeeping under `.newsroom/`, sorted by path. */
  readonly files: readonly ManifestEntry[];
}

const entrySchema = z.object({
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  type: z.string().min(1),
  cacheControl: z.string().min(1),
  encoding: z.enum(['br', 'gzip']).optional(),
  kind: z.enum(FILE_KINDS),
  sources: z.array(z.string()),
});

const manifestSchema = z.object({
  generator: z.literal('newsroom'),
  version: z.literal(1),
  baseUrl: z.string(),
  now: z.string(),
  nextBuildAt: z.string().nullable(),
  drafts: z.boolean(),
  files: z.array(entrySchema),
});

/** The hex SHA-256 of text or bytes: how the manifest names a file's contents. */
export function sha256Of(contents: string | Uint8Array): string {
  return createHash('sha256').update(contents).digest('hex');
}

/**
 * The hex SHA-256 of a file, read a piece at a time (a large site's manifest is 100 MB); undefined when it cannot be
 * read.
 */
export async function sha256OfFile(file: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(file), hash);
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}

/** A manifest that cannot be read or is not one of ours. */
export class ManifestError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ManifestError';
  }
}

/** Parses and checks a manifest's text; `where` names it in errors. */
export function parseManifest(text: string, where: string): Manifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new ManifestError(`${where} is not JSON: ${(cause as Error).message}`, { cause });
  }
  const checked = manifestSchema.safeParse(data);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const at = issue?.path.join('.') || 'the top level';
    throw new ManifestError(
      `${where} is not a Newsroom manifest (${at}: ${issue?.message}): give the dist/${MANIFEST_PATH} of a build`,
    );
  }
  return checked.data as Manifest;
}

/** Reads a manifest file. */
export async function readManifest(file: string): Promise<Manifest> {
  return (await readManifestFile(file)).manifest;
}

/** Reads a manifest file, keeping its text (which `publish` uploads as it is). */
export async function readManifestFile(file: string): Promise<{ manifest: Manifest; text: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ManifestError(
      code === 'ENOENT' ? `${file} does not exist: build the site first` : `cannot read ${file}: ${code}`,
      { cause },
    );
  }
  return { manifest: parseManifest(text, file), text };
}

/** The manifest's text: stable key order, sorted files, one trailing newline, so equal builds give equal bytes. */
export function serializeManifest(manifest: Manifest): string {
  return Buffer.concat([...manifestChunks(manifest)]).toString('utf8');
}

/** Lines of the manifest turned into bytes together: few enough buffers, each small enough not to matter. */
const CHUNK_CHARS = 1 << 20;

/**
 * The bytes of {@link serializeManifest} in pieces of about a megabyte, each made when the writer asks for it: a
 * large site's manifest (100 MB at 100,000 releases) is never held whole, as text or as bytes.
 */
export function* manifestChunks(manifest: Manifest): Generator<Buffer> {
  const files = [...manifest.files].sort((a, b) => compareText(a.path, b.path));
  const { generator, version, baseUrl, now, nextBuildAt, drafts } = manifest;
  // One file a line: compact (tens of thousands of files at 10,000 releases), and a line-by-line diff of two
  // manifests reads as a list of changed files.
  const head = JSON.stringify({ generator, version, baseUrl, now, nextBuildAt, drafts });
  let text = `${head.slice(0, -1)},"files":[\n`;
  for (const [i, f] of files.entries()) {
    const entry = {
      path: f.path,
      sha256: f.sha256,
      size: f.size,
      type: f.type,
      cacheControl: f.cacheControl,
      ...(f.encoding ? { encoding: f.encoding } : {}),
      kind: f.kind,
      sources: f.sources,
    };
    text += `${JSON.stringify(entry)}${i + 1 < files.length ? ',' : ''}\n`;
    if (text.length >= CHUNK_CHARS) {
      yield Buffer.from(text);
      text = '';
    }
  }
  yield Buffer.from(`${text}]}\n`);
}

// Pagefind's index files carry a content hash in their names (in every year's bundle, pagefind/<year>/); its loader,
// its entry file and the list of shards do not.
const PAGEFIND_HASHED = /^pagefind\/.*\.pf_(meta|fragment|index|filter)$/;

const TYPES: Record<string, string> = {
  'feed.xml': 'application/rss+xml',
  'atom.xml': 'application/atom+xml',
  'feed.json': 'application/feed+json',
  _headers: 'text/plain',
  _redirects: 'text/plain',
};

/** The Content-Type of an output path, with `charset=utf-8` for text (everything Newsroom writes is UTF-8). */
export function contentTypeOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const type =
    TYPES[name] ??
    (path.startsWith('pagefind/') && !/\.(js|json)$/.test(path) ? undefined : mime.lookup(name) || undefined) ??
    'application/octet-stream';
  const text = type.startsWith('text/') || /[/+](json|xml|javascript)$/.test(type);
  return text ? `${type}; charset=utf-8` : type;
}

/** Whether a Pagefind file's name changes with its content (so it may be cached for ever). */
export function isHashedSearchFile(path: string): boolean {
  return PAGEFIND_HASHED.test(path);
}
