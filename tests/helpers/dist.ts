import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  contentTypeOf,
  type FileKind,
  MANIFEST_PATH,
  type Manifest,
  type ManifestEntry,
  serializeManifest,
} from '../../src/publish/manifest.js';
import { tempDir } from './site.js';

/** One output file; everything but its contents is inferred from its path when left out. */
export interface DistFile {
  readonly contents: string | Buffer;
  readonly kind?: FileKind;
  readonly type?: string;
  readonly cacheControl?: string;
  readonly encoding?: 'br' | 'gzip';
}

/** A file's contents, or its contents and headers. */
export type DistSpec = string | Buffer | DistFile;

/** The Cache-Control each kind gets unless a file says otherwise. */
export const CACHE_CONTROL: Record<FileKind, string> = {
  fingerprinted: 'public, max-age=31536000, immutable',
  file: 'public, max-age=3600',
  page: 'public, max-age=60',
  feed: 'public, max-age=300',
};

const ENCODINGS = { '.br': 'br', '.gz': 'gzip' } as const;

/** The kind a build would give `file`: hashed names are fingerprinted, HTML is a page, feeds and sitemaps feeds. */
export function kindOf(file: string): FileKind {
  const original = file.replace(/\.(br|gz)$/, '');
  if (/\.[0-9a-f]{8,}\.\w+$/.test(original)) return 'fingerprinted';
  if (original.endsWith('.html')) return 'page';
  if (/(^|\/)(feed\.xml|atom\.xml|feed\.json|sitemap\.xml)$/.test(original)) return 'feed';
  return 'file';
}

export { tempDir };

/** The manifest a build of `files` for `baseUrl` would write. */
export function manifestOf(files: Record<string, DistSpec>, baseUrl = 'https://news.example.org/newsroom'): Manifest {
  const entries: ManifestEntry[] = Object.entries(files).map(([file, value]) => {
    const spec: DistFile = typeof value === 'string' || Buffer.isBuffer(value) ? { contents: value } : value;
    const bytes = Buffer.from(spec.contents);
    const suffix = path.extname(file) as keyof typeof ENCODINGS;
    const encoding = spec.encoding ?? ENCODINGS[suffix];
    const kind = spec.kind ?? kindOf(file);
    return {
      path: file,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      type: spec.type ?? contentTypeOf(encoding ? file.slice(0, -suffix.length) : file),
      cacheControl: spec.cacheControl ?? CACHE_CONTROL[kind],
      ...(encoding ? { encoding } : {}),
      kind,
      sources: [],
    };
  });
  return {
    generator: 'newsroom',
    version: 1,
    baseUrl,
    now: '2026-01-01T00:00:00.000Z',
    nextBuildAt: null,
    drafts: false,
    files: entries,
  };
}

/**
 * Writes `files` into `<root>/dist` (emptied first) with a correct `.newsroom/manifest.json` and
 * `.newsroom/build.json`, as a build would. Returns the manifest.
 */
export async function writeDist(root: string, files: Record<string, DistSpec>, baseUrl?: string): Promise<Manifest> {
  const dist = path.join(root, 'dist');
  await rm(dist, { recursive: true, force: true });
  for (const [file, value] of Object.entries(files)) {
    const contents = typeof value === 'string' || Buffer.isBuffer(value) ? value : value.contents;
    await mkdir(path.dirname(path.join(dist, file)), { recursive: true });
    await writeFile(path.join(dist, file), contents);
  }
  const manifest = manifestOf(files, baseUrl);
  await mkdir(path.join(dist, '.newsroom'), { recursive: true });
  await writeFile(path.join(dist, MANIFEST_PATH), serializeManifest(manifest));
  await writeFile(path.join(dist, '.newsroom/build.json'), '{"generator":"newsroom"}\n');
  return manifest;
}

/** A site root in a temp dir whose `dist/` holds `files`, as `writeDist` writes them. */
export async function makeDist(files: Record<string, DistSpec>, baseUrl?: string): Promise<string> {
  const root = await tempDir();
  await writeDist(root, files, baseUrl);
  return root;
}
