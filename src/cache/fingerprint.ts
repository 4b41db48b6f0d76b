import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareText } from '../compare.js';

/** The packages whose code turns a source file into a loaded release or page. */
export const LOAD_PACKAGES = [
  'gray-matter',
  'yaml',
  'zod',
  'libphonenumber-js',
  'remark',
  'remark-gfm',
  'mdast-util-gfm',
  'micromark-extension-gfm-autolink-literal',
  'micromark-extension-gfm-footnote',
  'micromark-extension-gfm-strikethrough',
  'micromark-extension-gfm-table',
  'micromark-extension-gfm-task-list-item',
  'micromark-util-combine-extensions',
  'remark-html',
  'hast-util-sanitize',
  'unist-util-visit',
  'vfile',
  '@sindresorhus/slugify',
] as const;

interface PackageJson {
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

/** The directory Node would load package `name` from, starting at `from` and walking up: none when not installed. */
function packageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    try {
      readFileSync(path.join(candidate, 'package.json'));
      return candidate;
    } catch {
      if (path.dirname(dir) === dir) return undefined;
    }
  }
}

/**
 * `name@version` of every package in the dependency closure of `roots`, resolved from `from` as Node resolves
 * them (nested copies included): any upgrade, downgrade or dedupe of any of them changes the list.
 */
export function packageVersions(roots: readonly string[], from: string): string[] {
  const found = new Set<string>();
  const visited = new Set<string>();
  const visit = (name: string, dir: string): void => {
    const pkgDir = packageDir(name, dir);
    if (pkgDir === undefined) {
      found.add(`${name}@missing`);
      return;
    }
    if (visited.has(pkgDir)) return;
    visited.add(pkgDir);
    const json = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as PackageJson;
    found.add(`${name}@${json.version ?? '?'}`);
    for (const dep of Object.keys({ ...json.dependencies, ...json.optionalDependencies })) visit(dep, pkgDir);
  };
  for (const name of roots) visit(name, from);
  return [...found].sort(compareText);
}

/** A hash of every file of Newsroom's own code (the directory tree this module is part of: lib/ or src/). */
function codeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => compareText(a.name, b.name))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.[cm]?[jt]s$/.test(entry.name))
        hash.update(`${path.relative(dir, full)}\0`).update(readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

let memo: string | undefined;

/**
 * What every cached load result depends on besides its file: Newsroom's own code (so any change to a plugin, an
 * option or a check makes new entries) and the exact versions of the packages that parse and render. Computed once
 * per process.
 */
export function pipelineFingerprint(): string {
  if (memo !== undefined) return memo;
  const codeDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  memo = createHash('sha256')
    .update(JSON.stringify([codeHash(codeDir), packageVersions(LOAD_PACKAGES, codeDir)]))
    .digest('hex');
  return memo;
}
