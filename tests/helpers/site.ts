import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CheerioAPI, load } from 'cheerio';
import { afterAll } from 'vitest';
import { main } from '../../src/cli.js';

/** The repository root, whose templates/ the inline test sites use. */
export const REPO = path.resolve(import.meta.dirname, '..', '..');

/** A minimal, valid site.yaml. */
export const SITE_YAML = `title: Test Newsroom
baseUrl: https://news.example.org/
language: en
organisation:
  name: International Organization for Migration
  shortName: IOM
`;

/** The sample site's translations.yaml: interface strings in English, French and Spanish. */
export const TRANSLATIONS_YAML = readFileSync(path.join(REPO, 'content', '_data', 'translations.yaml'), 'utf8');

/** A minimal, valid navigation.yaml (every target must be a page). */
export const NAV_YAML = `items:
  - label: News
    url: /news/
`;

/** A valid release with every field, so tests can break one line at a time. */
export function release(overrides: Record<string, string | undefined> = {}, body = 'Officials met today.\n'): string {
  const fields: Record<string, string | undefined> = {
    title: 'IOM Opens a Test Office',
    date: '2020-01-02',
    location: 'Geneva',
    summary: 'A test release.',
    ...overrides,
  };
  const lines = Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => `${k}: ${v}`);
  return `---\n${lines.join('\n')}\n---\n\n${body}`;
}

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A temporary directory, removed when the test file is done. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'newsroom-test-'));
  made.push(dir);
  return dir;
}

/**
 * Creates a site in a temp dir from `files` (path -> text), on top of the repo's templates and a minimal
 * site.yaml / navigation.yaml (which `files` may replace). Returns the root.
 */
export async function makeSite(files: Record<string, string>, options: { templates?: boolean } = {}): Promise<string> {
  const root = await tempDir();
  if (options.templates !== false)
    await cp(path.join(REPO, 'templates'), path.join(root, 'templates'), { recursive: true });
  const all: Record<string, string> = {
    'content/_data/site.yaml': SITE_YAML,
    'content/_data/navigation.yaml': NAV_YAML,
    'content/_data/translations.yaml': TRANSLATIONS_YAML,
    ...files,
  };
  for (const [name, text] of Object.entries(all)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
  return root;
}

/** The outcome of one CLI run, in process. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in process with `argv`, capturing its output. */
export async function cli(...argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Builds `root` into `<root>/dist` at a fixed time. */
export function buildSite(root: string, ...extra: string[]): Promise<CliRun> {
  return cli('build', '--root', root, '--now', '2026-01-01T00:00:00Z', ...extra);
}

/** Reads and parses an output page with a real HTML parser. */
export async function page(root: string, outputPath: string, out = path.join(root, 'dist')): Promise<CheerioAPI> {
  return load(await readFile(path.join(out, outputPath), 'utf8'));
}
