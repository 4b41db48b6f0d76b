import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { compareText } from '../compare.js';
import { type Diagnostic, START, warning } from '../diagnostics.js';
import { pacer } from '../pacer.js';
import type { TextCache } from './text-cache.js';

/** A text file read from the site root. */
export interface SourceFile {
  /** Path relative to the site root, with forward slashes (used in diagnostics). */
  readonly path: string;
  /** The text; empty when the file was listed but not read (`DiscoverCache.unread`). */
  readonly text: string;
  /** Where to read it, for a file listed but not read. */
  readonly absolute?: string | undefined;
}

/** A file to be copied into the output as is. */
export interface AssetFile {
  /** Path relative to `public/`, with forward slashes: also its output path. */
  readonly outputPath: string;
  /** Absolute path to read it from. */
  readonly absolutePath: string;
}

/** Everything the build reads from disk, found by {@link discover}. */
export interface Sources {
  readonly root: string;
  readonly releases: readonly SourceFile[];
  readonly pages: readonly SourceFile[];
  readonly site: SourceFile | undefined;
  readonly navigation: SourceFile | undefined;
  readonly translations: SourceFile | undefined;
  readonly assets: readonly AssetFile[];
  readonly templatesDir: string;
}

/** A file found by a walk: root-relative (forward slashes) and absolute. */
export interface FoundFile {
  readonly relative: string;
  readonly absolute: string;
}

const toPosix = (p: string): string => p.split(path.sep).join('/');

/** Whether `child` is `parent` itself or lies inside it. */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Lists the files below `dir`, sorted, following symlinks only when they stay inside `root`.
 * A symlink that leaves the root is reported and not read; a missing `dir` gives no files.
 */
async function walk(
  root: string,
  dir: string,
  diagnostics: Diagnostic[],
  seen = new Set<string>(),
): Promise<FoundFile[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`cannot read directory ${dir}`, { cause });
  }
  const realDir = await realpath(dir);
  if (seen.has(realDir)) return [];
  seen.add(realDir);
  const found: FoundFile[] = [];
  for (const entry of entries.sort((a, b) => compareText(a.name, b.name))) {
    const absolute = path.join(dir, entry.name);
    const relative = toPosix(path.relative(root, absolute));
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(absolute);
      } catch {
        diagnostics.push(
          warning(relative, START, 'discover/broken-symlink', 'symlink points nowhere; it was not read'),
        );
        continue;
      }
      if (!isInside(root, target)) {
        diagnostics.push(
          warning(
            relative,
            START,
            'discover/symlink-outside-root',
            'symlink points outside the site root; it was not read (copy the file into the site instead)',
          ),
        );
        continue;
      }
      const info = await stat(target);
      isDir = info.isDirectory();
      isFile = info.isFile();
    }
    if (isDir) found.push(...(await walk(root, absolute, diagnostics, seen)));
    else if (isFile) found.push({ relative, absolute });
  }
  return found;
}

async function readOptional(root: string, relative: string): Promise<SourceFile | undefined> {
  try {
    return { path: relative, text: await readFile(path.join(root, relative), 'utf8') };
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${relative}`, { cause });
  }
}

const isMarkdown = (f: FoundFile): boolean => f.relative.endsWith('.md');

/** The files a walk of the site found: what {@link discover} reuses when no file appeared or went. */
export interface Listing {
  readonly root: string;
  readonly news: readonly FoundFile[];
  readonly pages: readonly FoundFile[];
  readonly assets: readonly AssetFile[];
  readonly diagnostics: readonly Diagnostic[];
}

/** What {@link discover} may reuse from the previous run of a long-lived process (the dev server). */
export interface DiscoverCache {
  readonly texts: TextCache;
  /** Root-relative paths known to have changed since the last run: always read again. */
  readonly changed: ReadonlySet<string>;
  /**
   * The previous walk, when the caller knows no file or folder appeared, went or moved since (the watcher saw only
   * content changes): then the tree is not walked again and only `changed` files are read, not even stat-ed.
   */
  readonly listing?: Listing | undefined;
  /** List releases and pages without reading them: whoever loads them reads them (a one-shot build). */
  readonly unread?: boolean | undefined;
  /**
   * Releases and pages over this many bytes on disk are listed unread, as with `unread`: the loader reports them
   * from their size (or reads them, if the site's limit has been raised since). A long-lived process passes the
   * last build's file size limit, so a huge file dropped into content/ is never read whole.
   */
  readonly readLimit?: number | undefined;
  /**
   * What the last run found. When `listing` is that run's listing, its source objects are kept for every file not
   * in `changed`, so a caller can tell an unchanged file by identity, without looking at 10,000 texts.
   */
  readonly previous?: Found | undefined;
}

/** What {@link discover} found: the sources, with the listing they came from. */
export interface Found {
  readonly sources: Sources;
  readonly diagnostics: Diagnostic[];
  readonly listing: Listing;
}

/** Walks the site's content/news, content/pages and public folders. */
export async function listSources(rootDir: string): Promise<Listing> {
  const root = await realpath(rootDir);
  const diagnostics: Diagnostic[] = [];
  const news = (await walk(root, path.join(root, 'content', 'news'), diagnostics)).filter(isMarkdown);
  const pages = (await walk(root, path.join(root, 'content', 'pages'), diagnostics)).filter(isMarkdown);
  const publicDir = path.join(root, 'public');
  const assets = (await walk(root, publicDir, diagnostics)).map((f) => ({
    outputPath: toPosix(path.relative(publicDir, f.absolute)),
    absolutePath: f.absolute,
  }));
  return { root, news, pages, assets, diagnostics };
}

/** Reads the site's content, data files and asset list from `root` (the IO edge of the build). */
export async function discover(rootDir: string, cache?: DiscoverCache): Promise<Found> {
  const listing = cache?.listing ?? (await listSources(rootDir));
  const { root, news, pages, assets } = listing;
  const diagnostics = [...listing.diagnostics];
  const changed = cache?.changed ?? new Set<string>();
  const trusted = cache?.listing !== undefined;
  if (!trusted) cache?.texts.retain(new Set([...news, ...pages].map((f) => f.absolute)));
  const pause = pacer();
  const before = trusted && cache?.previous?.listing === listing ? cache.previous.sources : undefined;
  /** A source from the text cache: listed unread when it is over the read limit. */
  const cached = (texts: TextCache, file: FoundFile, isChanged: boolean): SourceFile => {
    const text = texts.read(file.absolute, isChanged, trusted, cache?.readLimit);
    return text === undefined
      ? { path: file.relative, text: '', absolute: file.absolute }
      : { path: file.relative, text };
  };
  const readAll = async (files: readonly FoundFile[], kept?: readonly SourceFile[]): Promise<SourceFile[]> => {
    if (cache && kept?.length === files.length) {
      return files.map((file, i) =>
        changed.has(file.relative) ? cached(cache.texts, file, true) : (kept[i] as SourceFile),
      );
    }
    const texts: SourceFile[] = [];
    for (const file of files) {
      if (cache?.unread) {
        texts.push({ path: file.relative, text: '', absolute: file.absolute });
        continue;
      }
      const wait = pause();
      if (wait) await wait;
      texts.push(
        cache
          ? cached(cache.texts, file, changed.has(file.relative))
          : { path: file.relative, text: await readFile(file.absolute, 'utf8') },
      );
    }
    return texts;
  };
  const sources: Sources = {
    root,
    releases: await readAll(news, before?.releases),
    pages: await readAll(pages, before?.pages),
    site: await readOptional(root, 'content/_data/site.yaml'),
    navigation: await readOptional(root, 'content/_data/navigation.yaml'),
    translations: await readOptional(root, 'content/_data/translations.yaml'),
    assets,
    templatesDir: path.join(root, 'templates'),
  };
  return { sources, diagnostics, listing };
}
