import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type CssNode, parse, walk } from 'css-tree';
import type { AssetFile } from '../content/discover.js';
import { publicPath } from '../content/release.js';
import { type Diagnostic, error, warning } from '../diagnostics.js';
import { sha256Of } from '../publish/manifest.js';

/** File types that get content-hash names when something refers to them: styles, scripts, fonts, images. */
const FINGERPRINTED = /\.(css|m?js|woff2?|ttf|otf|eot|png|jpe?g|gif|webp|avif|svg|ico)$/i;
/** Text types kept in memory (to rewrite, compress and write); other files are copied from disk. */
const TEXT = /\.(css|m?js|svg|json|txt|xml|html?|map|webmanifest)$/i;
/** Browsers ask for these by name: never renamed. */
const WELL_KNOWN = new Set(['favicon.ico', 'robots.txt']);

/** A public/ file as it goes into the output. */
export interface PlannedAsset {
  /** Its path in public/ and, unless fingerprinted, in the output: `css/site.css`. */
  readonly outputPath: string;
  /** Its name with the content hash (`css/site.3f9a1c2b.css`), for fingerprinted types; else undefined. */
  readonly hashedPath: string | undefined;
  /** Root-relative source path, for the manifest: `public/css/site.css`. */
  readonly source: string;
  /** Hex SHA-256 of the bytes written (for CSS, after its url()s are rewritten). */
  readonly sha256: string;
  readonly size: number;
  /** The bytes to write, for text files; binary files are copied from `from`. */
  readonly contents: Uint8Array | undefined;
  readonly from: string;
}

/** Every public/ file, hashed; stylesheets with their references rewritten to the fingerprinted names. */
export interface AssetPlan {
  readonly assets: readonly PlannedAsset[];
  /** Output path -> fingerprinted output path, for every fingerprinted type. */
  readonly names: ReadonlyMap<string, string>;
  /** Files stylesheets refer to: they count as referenced, like the files pages refer to. */
  readonly referencedByStyles: ReadonlySet<string>;
  readonly diagnostics: readonly Diagnostic[];
}

/** `css/site.css` + hash -> `css/site.3f9a1c2b.css`. */
export function hashedName(outputPath: string, hash: string): string {
  const ext = path.posix.extname(outputPath);
  return `${outputPath.slice(0, outputPath.length - ext.length)}.${hash.slice(0, 8)}${ext}`;
}

interface Reference {
  /** The public/ file named, or undefined when it names none. */
  readonly target: string | undefined;
  readonly url: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
  /** How it was written: `url(...)` or a bare `"..."` string of an @import. */
  readonly form: 'url' | 'string';
}

/** The site-relative path a stylesheet reference resolves to, or undefined for data:, external and fragment URLs. */
function resolveReference(url: string, stylesheet: string): string | undefined {
  const trimmed = url.trim();
  if (trimmed === '' || trimmed.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(trimmed) || trimmed.startsWith('//')) {
    return undefined;
  }
  const resolved = new URL(trimmed, `http://site.invalid/${stylesheet}`);
  return resolved.pathname;
}

function referencesOf(text: string, stylesheet: string, known: ReadonlySet<string>): Reference[] {
  const references: Reference[] = [];
  const ast = parse(text, { positions: true, onParseError: () => undefined });
  walk(ast, (node: CssNode) => {
    const isImportString =
      node.type === 'Atrule' && node.name === 'import' && node.prelude?.type === 'AtrulePrelude'
        ? node.prelude.children.first
        : undefined;
    const target = node.type === 'Url' ? node : isImportString?.type === 'String' ? isImportString : undefined;
    if (!target?.loc) return;
    const local = resolveReference(target.value, stylesheet);
    if (local === undefined) return;
    const file = publicPath(local);
    references.push({
      target: known.has(file) ? file : undefined,
      url: target.value,
      start: target.loc.start.offset,
      end: target.loc.end.offset,
      line: target.loc.start.line,
      column: target.loc.start.column,
      form: target.type === 'Url' ? 'url' : 'string',
    });
  });
  return references;
}

/**
 * Reads and hashes every public/ file. Fingerprinted types get a hashed name; stylesheets have their `url()`s and
 * `@import`s rewritten to the hashed names first (so a stylesheet's hash changes when a font or image it uses
 * changes), in dependency order. `basePath` prefixes site-relative references (`/newsroom`).
 */
export async function planAssets(files: readonly AssetFile[], basePath: string): Promise<AssetPlan> {
  const diagnostics: Diagnostic[] = [];
  const known = new Set(files.map((f) => f.outputPath));
  const byPath = new Map(files.map((f) => [f.outputPath, f]));
  const names = new Map<string, string>();
  const planned = new Map<string, PlannedAsset>();
  const referencedByStyles = new Set<string>();
  const fingerprinted = (p: string) => FINGERPRINTED.test(p) && !WELL_KNOWN.has(p);

  const plan = (file: AssetFile, bytes: Uint8Array): void => {
    const hash = sha256Of(bytes);
    const hashedPath = fingerprinted(file.outputPath) ? hashedName(file.outputPath, hash) : undefined;
    if (hashedPath) names.set(file.outputPath, hashedPath);
    planned.set(file.outputPath, {
      outputPath: file.outputPath,
      hashedPath,
      source: `public/${file.outputPath}`,
      sha256: hash,
      size: bytes.byteLength,
      contents: TEXT.test(file.outputPath) ? bytes : undefined,
      from: file.absolutePath,
    });
  };

  const isStylesheet = (f: AssetFile) => /\.css$/i.test(f.outputPath);
  const stylesheets = files.filter(isStylesheet);
  for (const file of files) {
    if (!isStylesheet(file)) plan(file, await readFile(file.absolutePath));
  }

  // Stylesheets after what they refer to: an @import of another stylesheet needs that one's hash first.
  const texts = new Map<string, string>();
  for (const file of stylesheets) texts.set(file.outputPath, await readFile(file.absolutePath, 'utf8'));
  const visiting = new Set<string>();
  const visit = (stylesheet: string, chain: readonly string[]): void => {
    if (planned.has(stylesheet)) return;
    const file = byPath.get(stylesheet);
    const text = texts.get(stylesheet);
    if (!file || text === undefined) return;
    visiting.add(stylesheet);
    const references = referencesOf(text, stylesheet, known);
    let out = '';
    let at = 0;
    for (const ref of references) {
      if (ref.target === undefined) {
        diagnostics.push(
          warning(
            `public/${stylesheet}`,
            { line: ref.line, column: ref.column },
            'assets/missing',
            `${ref.url} names no file in public/: add the file or fix the path`,
          ),
        );
        continue;
      }
      referencedByStyles.add(ref.target);
      if (visiting.has(ref.target)) {
        diagnostics.push(
          error(
            `public/${stylesheet}`,
            { line: ref.line, column: ref.column },
            'assets/import-cycle',
            `${[...chain, stylesheet, ref.target].join(' -> ')} import each other in a circle: remove one @import`,
          ),
        );
        continue;
      }
      visit(ref.target, [...chain, stylesheet]);
      const hashed = names.get(ref.target);
      if (hashed === undefined) continue;
      const [, rest = ''] = /^[^?#]*([?#].*)?$/.exec(ref.url.trim()) ?? [];
      const rewritten = ref.url.trim().startsWith('/')
        ? `${basePath}/${encodeURI(hashed)}${rest}`
        : `${encodeURI(path.posix.relative(path.posix.dirname(stylesheet), hashed))}${rest}`;
      out += text.slice(at, ref.start) + (ref.form === 'url' ? `url("${rewritten}")` : `"${rewritten}"`);
      at = ref.end;
    }
    visiting.delete(stylesheet);
    plan(file, Buffer.from(out + text.slice(at)));
  };
  for (const file of stylesheets) visit(file.outputPath, []);

  return {
    assets: files.map((f) => planned.get(f.outputPath)).filter((a): a is PlannedAsset => a !== undefined),
    names,
    referencedByStyles,
    diagnostics,
  };
}
