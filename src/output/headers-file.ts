import { compareText } from '../compare.js';

/** A file and its Cache-Control, for `_headers`. */
export interface HeaderSubject {
  readonly path: string;
  readonly cacheControl: string;
}

interface Folder {
  readonly files: Map<string, string>;
  readonly folders: Map<string, Folder>;
}

const folder = (): Folder => ({ files: new Map(), folders: new Map() });

/** The one Cache-Control every file below `node` has, or undefined when they differ. */
function uniform(node: Folder, memo: Map<Folder, string | null>): string | undefined {
  const known = memo.get(node);
  if (known !== undefined) return known ?? undefined;
  const values = new Set(node.files.values());
  for (const child of node.folders.values()) values.add(uniform(child, memo) ?? '\0');
  const value = values.size === 1 ? [...values][0] : undefined;
  const result = value === '\0' ? undefined : value;
  memo.set(node, result ?? null);
  return result;
}

const rule = (pattern: string, headers: readonly string[]): string =>
  [pattern, ...headers.map((h) => `  ${h}`)].join('\n');

/**
 * The `_headers` file (the format Netlify and Cloudflare Pages read) giving each file its Cache-Control. Both
 * services join the values of every rule that matches a path, so no two rules here match one file: a folder whose
 * files all share a value gets one `/folder/*` rule, and only folders that mix (fingerprinted assets beside files
 * that keep their names) list their files one by one. Paths carry the base path (`/newsroom/news/*`).
 */
export function headersFile(subjects: readonly HeaderSubject[], basePath: string): string {
  const root = folder();
  for (const { path, cacheControl } of subjects) {
    const parts = path.split('/');
    const name = parts.pop() ?? '';
    let node = root;
    for (const part of parts) {
      let child = node.folders.get(part);
      if (!child) {
        child = folder();
        node.folders.set(part, child);
      }
      node = child;
    }
    node.files.set(name, cacheControl);
  }
  const memo = new Map<Folder, string | null>();
  const rules: string[] = [];
  const cache = (value: string) => [`Cache-Control: ${value}`];
  const sorted = <T>(map: Map<string, T>) => [...map].sort(([a], [b]) => compareText(a, b));
  const emit = (node: Folder, prefix: string): void => {
    const all = uniform(node, memo);
    if (all !== undefined && prefix !== basePath) {
      rules.push(rule(`${prefix}/*`, cache(all)));
      return;
    }
    for (const [name, value] of sorted(node.files)) {
      if (name === 'index.html') rules.push(rule(`${prefix}/`, cache(value)));
      rules.push(rule(`${prefix}/${encodeURI(name)}`, cache(value)));
    }
    for (const [name, child] of sorted(node.folders)) emit(child, `${prefix}/${encodeURI(name)}`);
  };
  emit(root, basePath);
  const header = [
    "# Written by Newsroom: each file's Cache-Control (fingerprinted files are immutable), no rule overlapping another.",
    rule(`${basePath}/*`, ['X-Content-Type-Options: nosniff']),
  ];
  return `${[...header, ...rules].join('\n')}\n`;
}
