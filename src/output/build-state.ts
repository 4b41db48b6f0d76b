import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';

/**
 * Where a deploy build records what each file of an output was made from: in the cache directory, one file per
 * output directory, so the output itself stays byte for byte reproducible. It names the output's manifest by hash,
 * so it is used only while the output is the one it describes.
 */
export function statePath(cacheDir: string, outDir: string): string {
  return path.join(cacheDir, 'outputs', `${createHash('sha256').update(outDir).digest('hex').slice(0, 32)}.json`);
}

/** What one output file was made from, as far as the next build needs to know. */
export interface RouteState {
  /** {@link CompiledSite.signature} of its route: equal signatures render equal bytes. */
  readonly signature: string;
  /** The fingerprinted public/ files it refers to. */
  readonly assets: readonly string[];
}

/** What the next build reads to render only what changed. */
export interface BuildState {
  /** A hash of the code and the options the output was made with: another one makes the state unusable. */
  readonly context: string;
  /** SHA-256 of the output's manifest: the output this state describes. */
  readonly manifest: string;
  readonly routes: ReadonlyMap<string, RouteState>;
  /**
   * Each shard of the search index (a year) with the pages it was made from and their signatures; null when the
   * output has no index.
   */
  readonly search: ReadonlyMap<string, readonly string[]> | null;
  /** What a build that finds the sources untouched needs to say the output is already right. */
  readonly unchanged: UnchangedCheck | null;
}

/**
 * When the next build may skip all work: the sources' stamp and the options are the same, and its `--now` falls in
 * the window where no embargo lifts and no release's date passes (`[from, until)`, epoch milliseconds).
 */
export interface UnchangedCheck {
  readonly key: string;
  readonly stamp: string;
  readonly from: number | null;
  readonly until: number | null;
  /** The diagnostics of the build that made the output, said again. */
  readonly diagnostics: readonly Diagnostic[];
  readonly pages: number;
  readonly feeds: number;
  readonly sources: number;
  readonly files: number;
}

/** The state file's format: a state of another version is ignored (the next build renders everything). */
const VERSION = 2;

interface StateFile {
  readonly version: typeof VERSION;
  readonly context: string;
  readonly manifest: string;
  readonly routes: [string, string, string[]][];
  /** Shards sorted by name, each with its pages in index order. */
  readonly search: [string, string[]][] | null;
  readonly unchanged?: UnchangedCheck | null;
}

/** Routes of the state turned into text together: few enough strings, each small enough not to matter. */
const CHUNK_CHARS = 1 << 20;

/**
 * The state as written: one JSON document, routes sorted by path, in pieces of about a megabyte, each made when
 * the writer asks for it (a large site's state, 30 MB at 100,000 releases, is never one string).
 */
export function* serializeState(state: BuildState): Generator<string> {
  const head: Omit<StateFile, 'routes' | 'search' | 'unchanged'> = {
    version: VERSION,
    context: state.context,
    manifest: state.manifest,
  };
  let text = `${JSON.stringify(head).slice(0, -1)},"routes":[`;
  const routes = [...state.routes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [i, [p, r]] of routes.entries()) {
    const route: StateFile['routes'][number] = [p, r.signature, [...r.assets]];
    text += `${i > 0 ? ',' : ''}${JSON.stringify(route)}`;
    if (text.length >= CHUNK_CHARS) {
      yield text;
      text = '';
    }
  }
  const search: StateFile['search'] =
    state.search === null
      ? null
      : [...state.search].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([shard, key]) => [shard, [...key]]);
  yield `${text}],"search":${JSON.stringify(search)},"unchanged":${JSON.stringify(state.unchanged)}}\n`;
}

/** Writes the state (atomically: a killed build leaves the old one or none). */
export async function writeState(file: string, state: BuildState): Promise<string | undefined> {
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(temp, serializeState(state));
    await rename(temp, file);
    return undefined;
  } catch (cause) {
    // The state only saves the next build time: the caller warns, the build goes on.
    await rm(temp, { force: true });
    return (cause as NodeJS.ErrnoException).code ?? 'EIO';
  }
}

/**
 * The state in `file`, when it was made in `context` and describes the output whose manifest hashes to
 * `manifest`; undefined otherwise (then everything renders).
 */
export async function readState(file: string, context: string, manifest: string): Promise<BuildState | undefined> {
  try {
    const state = JSON.parse(await readFile(file, 'utf8')) as StateFile;
    if (state.version !== VERSION || state.context !== context || state.manifest !== manifest) return undefined;
    if (!Array.isArray(state.routes) || !(state.search === null || Array.isArray(state.search))) return undefined;
    return {
      context,
      manifest,
      routes: new Map(state.routes.map(([p, signature, assets]) => [p, { signature, assets }])),
      search: state.search === null ? null : new Map(state.search),
      unchanged: state.unchanged ?? null,
    };
  } catch {
    return undefined;
  }
}
