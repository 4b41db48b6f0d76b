import { compareText } from '../compare.js';
import type { Route } from '../site/routes.js';
import type { OutputFile, PreviousOutput, ReusedFile } from './write-site.js';

/** Where the search index goes in the output: one Pagefind bundle per shard below it, and the list of shards. */
export const SEARCH_BUNDLE = 'pagefind';

/** The list of shards the search page reads first, to know which bundles to load. */
export const SHARD_LIST = `${SEARCH_BUNDLE}/shards.json`;

/** The folder of a shard's bundle in the output (`pagefind/2025`). */
export function shardFolder(shard: string): string {
  return `${SEARCH_BUNDLE}/${shard}`;
}

/**
 * The shard of the search index a route's page goes in; undefined when it is not searchable (only published
 * releases are, even in a preview build). The shard is the release's year, the year filter's value: an edit
 * re-indexes that year only, and a year's bundle changes only when one of its releases does.
 */
export function shardOf(route: Route): string | undefined {
  return route.kind === 'release' && route.status === 'published' ? route.release.day.slice(0, 4) : undefined;
}

/** What a build does with the search index, shard by shard. */
export interface SearchPlan {
  /** Each shard's pages (output paths) in route order, the order Pagefind gets them in; newest shard first. */
  readonly shards: ReadonlyMap<string, readonly string[]>;
  /** The shard of each searchable page. */
  readonly shardOfPage: ReadonlyMap<string, string>;
  /** Shards whose bundle in the previous output is this build's too, with its files (linked from there). */
  readonly kept: ReadonlyMap<string, readonly ReusedFile[]>;
  /** Shards indexed by this build, newest first: new ones, and those with a page added, removed or changed. */
  readonly indexed: readonly string[];
}

/** A shard's pages with their signatures: its bundle is the same when this is. */
export function shardKeys(
  shards: ReadonlyMap<string, readonly string[]>,
  signatures: ReadonlyMap<string, string>,
): Map<string, string[]> {
  return new Map([...shards].map(([shard, pages]) => [shard, pages.map((p) => `${p} ${signatures.get(p) ?? ''}`)]));
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((entry, i) => entry === b[i]);

/**
 * Splits the searchable routes into shards, and the shards into those the previous output already has right (same
 * pages with the same signatures, as its state records, and its files listed in its manifest) and those to index.
 */
export function planSearch(
  routes: readonly Route[],
  signatures: ReadonlyMap<string, string>,
  /** The previous build's keys ({@link shardKeys}); null or undefined when it had no index or is unknown. */
  was: ReadonlyMap<string, readonly string[]> | null | undefined,
  previous: PreviousOutput | undefined,
): SearchPlan {
  const pages = new Map<string, string[]>();
  const shardOfPage = new Map<string, string>();
  for (const route of routes) {
    const shard = shardOf(route);
    if (shard === undefined) continue;
    shardOfPage.set(route.outputPath, shard);
    const list = pages.get(shard);
    if (list) list.push(route.outputPath);
    else pages.set(shard, [route.outputPath]);
  }
  const shards = new Map([...pages].sort(([a], [b]) => compareText(b, a)));
  // The previous output's bundle files by shard (compressed copies follow their originals when reused).
  const files = new Map<string, ReusedFile[]>();
  for (const [p, f] of previous?.files ?? []) {
    const [top, shard, rest] = p.split('/', 3);
    if (top !== SEARCH_BUNDLE || shard === undefined || rest === undefined || f.encoding !== undefined) continue;
    const file = { path: p, sha256: f.sha256, size: f.size };
    const list = files.get(shard);
    if (list) list.push(file);
    else files.set(shard, [file]);
  }
  const kept = new Map<string, readonly ReusedFile[]>();
  const indexed: string[] = [];
  for (const [shard, key] of shardKeys(shards, signatures)) {
    const before = was?.get(shard);
    const there = files.get(shard);
    if (before && there && sameList(before, key)) kept.set(shard, there);
    else indexed.push(shard);
  }
  return { shards, shardOfPage, kept, indexed };
}

/** A shard as the search page needs to know it: its year and the languages its bundle has an index for. */
export interface ShardEntry {
  readonly shard: string;
  /** Pagefind's names for them (the pages' `lang`, lowercase: `en`, `pt-br`). */
  readonly languages: readonly string[];
}

/**
 * `pagefind/shards.json`: the shards newest first, each with its languages, since a year may have releases in
 * some languages only and Pagefind, asked for a language an index lacks, falls back to another one's.
 */
export function shardList(entries: readonly ShardEntry[]): OutputFile {
  const shards = [...entries]
    .sort((a, b) => compareText(b.shard, a.shard))
    .map((e) => ({ year: e.shard, languages: [...e.languages].sort(compareText) }));
  return { path: SHARD_LIST, contents: `${JSON.stringify({ shards })}\n` };
}
