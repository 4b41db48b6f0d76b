import type { CachePolicy } from '../content/site-data.js';
import {
  contentTypeOf,
  type FileKind,
  isHashedSearchFile,
  type Manifest,
  type ManifestEntry,
} from '../publish/manifest.js';
import type { WrittenFile } from './write-site.js';

/** What the build knows about an output file besides its bytes. */
export interface OutputDescription {
  readonly kind: FileKind;
  /** Root-relative site files it was made from. */
  readonly sources: readonly string[];
  /** A Content-Type other than the one its name gives (redirect pages at old `.aspx` URLs are HTML). */
  readonly type?: string | undefined;
}

/** The Cache-Control of a kind of file under a policy. */
export function cacheControlOf(kind: FileKind, policy: CachePolicy): string {
  if (kind === 'fingerprinted') return policy.fingerprinted;
  return kind === 'file' ? policy.files : policy.pages;
}

/**
 * The manifest entries of the written files: each with its hash, size, Content-Type, Cache-Control, kind and
 * sources. Files the build did not describe are the search index's: fingerprinted when Pagefind hashed their names.
 * Pre-compressed copies take their original's type and kind, and add their encoding.
 */
export function manifestEntries(
  written: readonly WrittenFile[],
  described: ReadonlyMap<string, OutputDescription>,
  policy: CachePolicy,
): ManifestEntry[] {
  const describe = (path: string): OutputDescription =>
    described.get(path) ?? { kind: isHashedSearchFile(path) ? 'fingerprinted' : 'file', sources: [] };
  return written.map((file): ManifestEntry => {
    const original = file.of ?? file.path;
    const { kind, sources, type } = describe(original);
    return {
      path: file.path,
      sha256: file.sha256,
      size: file.size,
      type: type ?? contentTypeOf(original),
      cacheControl: cacheControlOf(kind, policy),
      ...(file.encoding ? { encoding: file.encoding } : {}),
      kind,
      // A pre-compressed copy's sources are its original's: not repeated (they are most of a large manifest).
      sources: file.of ? [] : [...sources].sort(),
    };
  });
}

/** The manifest of a build. */
export function deployManifest(
  entries: readonly ManifestEntry[],
  baseUrl: string,
  now: Date,
  nextBuildAt: string | null,
  drafts: boolean,
): Manifest {
  return { generator: 'newsroom', version: 1, baseUrl, now: now.toISOString(), nextBuildAt, drafts, files: entries };
}
