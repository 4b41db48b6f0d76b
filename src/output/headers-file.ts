import { compareText } from '../compare.js';
import { HEADER_POLICY } from '../render/content-security-policy.js';

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

/** A rule: a URL pattern and the Cache-Control it gives. */
type Rule = readonly [pattern: string, value: string];

/** Where a folder's own path goes in the rules of its files while siblings are compared. */
const HERE = '\u0000';

/** A rule for one fingerprinted file in a mixed folder: one a folder, so never shared by sibling folders. */
const isSingleImmutable = ([pattern, value]: Rule): boolean =>
  !pattern.endsWith('/*') && !pattern.endsWith('/') && value.includes('immutable');

/**
 * One set of rules for sibling folders, when their rules (made with {@link HERE} for the folder) can be shared: the
 * union of them, once each folder's own fingerprinted files are left out, where no pattern gets two values and no
 * folder rule covers another pattern. Undefined when they cannot.
 */
function sharedShape(shapes: readonly Rule[][]): Rule[] | undefined {
  const union = new Map<string, string>();
  for (const shape of shapes) {
    for (const [pattern, value] of shape) {
      if (isSingleImmutable([pattern, value])) continue;
      if ((union.get(pattern) ?? value) !== value) return undefined;
      union.set(pattern, value);
    }
  }
  const patterns = [...union.keys()];
  const folders = patterns.filter((p) => p.endsWith('/*')).map((p) => p.slice(0, -1));
  if (patterns.some((p) => folders.some((f) => p !== `${f}*` && p.startsWith(f)))) return undefined;
  return [...union].sort(([a], [b]) => compareText(a, b));
}

/**
 * The `_headers` file (the format Netlify and Cloudflare Pages read) giving each file its Cache-Control. Both
 * services join the values of every rule that matches a path, so no two rules here match one file: a folder whose
 * files all share a value gets one `/folder/*` rule, and only folders that mix (fingerprinted assets beside files
 * that keep their names) list their files one by one. Sibling folders that all hold the same files (the search
 * index's year shards) share their rules through a placeholder (`/pagefind/:shard/pagefind.js`), so the file stays
 * well under Cloudflare's 100 rules however many years there are; the one fingerprinted file each of them has under
 * its own name then gets no rule, so the host's default (revalidate) applies: slower, never stale. Paths carry the
 * base path (`/newsroom/news/*`). One more rule, for every file, sets the headers that are the same everywhere:
 * `X-Content-Type-Options` and the Content-Security-Policy (no other rule sets either).
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
  const sorted = <T>(map: Map<string, T>) => [...map].sort(([a], [b]) => compareText(a, b));
  const collect = (node: Folder, prefix: string): Rule[] => {
    const all = uniform(node, memo);
    if (all !== undefined && prefix !== basePath) return [[`${prefix}/*`, all]];
    const rules: Rule[] = [];
    for (const [name, value] of sorted(node.files)) {
      if (name === 'index.html') rules.push([`${prefix}/`, value]);
      rules.push([`${prefix}/${encodeURI(name)}`, value]);
    }
    const children = sorted(node.folders);
    const shared = children.length > 1 ? sharedShape(children.map(([, child]) => collect(child, HERE))) : undefined;
    // A placeholder rule for a whole folder (`/pagefind/:shard/*`) could match a file beside the folders.
    const wholeFolder = shared?.some(([p]) => p === `${HERE}/*` || p === `${HERE}/`);
    if (shared && !(wholeFolder && node.files.size > 0)) {
      return [...rules, ...shared.map(([p, v]): Rule => [p.replace(HERE, `${prefix}/:shard`), v])];
    }
    for (const [name, child] of children) rules.push(...collect(child, `${prefix}/${encodeURI(name)}`));
    return rules;
  };
  const rules = collect(root, basePath).map(([pattern, value]) => rule(pattern, [`Cache-Control: ${value}`]));
  const header = [
    "# Written by Newsroom: each file's Cache-Control (fingerprinted files are immutable), no rule overlapping another.",
    rule(`${basePath}/*`, ['X-Content-Type-Options: nosniff', `Content-Security-Policy: ${HEADER_POLICY}`]),
  ];
  return `${[...header, ...rules].join('\n')}\n`;
}
