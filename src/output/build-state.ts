import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Where a deploy build records what each of its files was made from, beside the manifest (never published). */
export const STATE_PATH = '.newsroom/state.json';

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
  readonly routes: ReadonlyMap<string, RouteState>;
  /** The pages the search index was made from, with their signatures; null when the output has no index. */
  readonly search: readonly string[] | null;
}

interface StateFile {
  readonly version: 1;
  readonly context: string;
  readonly routes: [string, string, string[]][];
  readonly search: string[] | null;
}

/** The state as written: one JSON document, routes sorted by path. */
export function serializeState(state: BuildState): string {
  const file: StateFile = {
    version: 1,
    context: state.context,
    routes: [...state.routes]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([p, r]) => [p, r.signature, [...r.assets]]),
    search: state.search === null ? null : [...state.search],
  };
  return `${JSON.stringify(file)}\n`;
}

/** The state of the output in `dir`, when it was made in `context`; undefined otherwise (then everything renders). */
export async function readState(dir: string, context: string): Promise<BuildState | undefined> {
  try {
    const file = JSON.parse(await readFile(path.join(dir, STATE_PATH), 'utf8')) as StateFile;
    if (file.version !== 1 || file.context !== context || !Array.isArray(file.routes)) return undefined;
    return {
      context,
      routes: new Map(file.routes.map(([p, signature, assets]) => [p, { signature, assets }])),
      search: file.search,
    };
  } catch {
    return undefined;
  }
}
