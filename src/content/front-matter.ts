import matter from 'gray-matter';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { type Diagnostic, error, type Position, START } from '../diagnostics.js';
import type { SourceFile } from './discover.js';
import { byteSize, DEFAULT_LIMITS, frontMatterSizeError, type Limits, nestingError } from './limits.js';
import { checkShape, MAX_ALIAS_EXPANSION } from './yaml-shape.js';

/** A YAML value with the positions of its keys, so later stages can point at the line of a bad key. */
export interface LocatedData {
  /** The parsed value (plain objects, arrays, strings, numbers, booleans, null). */
  readonly value: unknown;
  /** Position of the key (or item) at `path`, or of its nearest existing ancestor. */
  locate(path: readonly PropertyKey[]): Position;
}

/** A Markdown file split into front matter and body. */
export interface SplitFile {
  readonly data: LocatedData;
  readonly body: string;
  /** 1-based line of the file on which the body starts. */
  readonly bodyLine: number;
}

const MAX_ALIASES = 100;

const refuseCode = (): never => {
  // Front matter is data: gray-matter's JavaScript engines would run the block.
  throw new RefusedLanguage();
};

class RefusedLanguage extends Error {}

/**
 * Parses YAML text into {@link LocatedData}, refusing tags, duplicate keys, alias bombs, aliases inside what they
 * name, and nesting deeper than `nesting` levels.
 */
export function parseYaml(
  file: string,
  text: string,
  nesting: number = DEFAULT_LIMITS.nesting,
): { data: LocatedData | undefined; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  // Duplicate keys are found by checkShape, in linear time.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, schema: 'core', prettyErrors: true });
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const diagnostics: Diagnostic[] = [];
  for (const problem of [...doc.errors, ...doc.warnings]) {
    if (problem instanceof Error && /call stack/i.test(problem.message)) {
      // The parser itself ran out of stack: nesting far over the limit.
      diagnostics.push(nestingError(file, at(problem.pos[0]), 'YAML', nesting));
      continue;
    }
    const message = problem.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? problem.code;
    const hint =
      problem.code === 'DUPLICATE_KEY'
        ? ' (keep one of them)'
        : problem.code === 'TAG_RESOLVE_FAILED'
          ? ' (tags are not allowed: front matter is plain data)'
          : ' (check the YAML syntax: indentation, colons and quotes)';
    diagnostics.push(error(file, at(problem.pos[0]), `yaml/${problem.code.toLowerCase()}`, `${message}${hint}`));
  }
  if (diagnostics.length > 0) return { data: undefined, diagnostics };
  const shape = checkShape(doc, nesting);
  if (shape) {
    const where = at(shape.node.range?.[0] ?? 0);
    const problem =
      shape.kind === 'nesting'
        ? nestingError(file, where, 'YAML', nesting)
        : shape.kind === 'duplicate'
          ? error(file, where, 'yaml/duplicate_key', 'Map keys must be unique (keep one of them)')
          : shape.kind === 'complex-key'
            ? error(
                file,
                where,
                'yaml/complex-key',
                'a key is a list or a map: keys must be plain words, like title: (remove the ? or the brackets)',
              )
            : shape.kind === 'cycle'
              ? error(
                  file,
                  where,
                  'yaml/aliases',
                  'an alias (*name) is inside the value it names: the value would never end; remove the alias',
                )
              : error(
                  file,
                  where,
                  'yaml/aliases',
                  `aliases (*name) repeat ${shape.size} characters of YAML, more than ${MAX_ALIAS_EXPANSION}: write the values out, or alias smaller ones`,
                );
    return { data: undefined, diagnostics: [problem] };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    return {
      data: undefined,
      diagnostics: [error(file, at(0), 'yaml/aliases', `${message}: use fewer YAML aliases (*name)`)],
    };
  }
  const start: Position = START;
  const locate = (path: readonly PropertyKey[]): Position => {
    let node: unknown = doc.contents;
    let pos = start;
    for (const key of path) {
      let next: Node | null | undefined;
      let keyNode: Node | null | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
        keyNode = pair?.key as Node | undefined;
        next = pair?.value as Node | null | undefined;
      } else if (isSeq(node) && typeof key === 'number') {
        next = node.items[key] as Node | undefined;
        keyNode = next;
      }
      if (!keyNode?.range) break;
      pos = at(keyNode.range[0]);
      node = next;
    }
    return pos;
  };
  return { data: { value, locate }, diagnostics };
}

/** Whether the text after the opening `---` line has a closing `---` line. */
function hasClosingFence(text: string): boolean {
  return /\r?\n---[ \t]*(\r?\n|$)/.test(text.slice(3));
}

/**
 * Splits a Markdown source into YAML front matter and body, with positions.
 * Only YAML is accepted: `---js` and other languages are refused and never run.
 */
export function splitFrontMatter(
  source: SourceFile,
  limits: Pick<Limits, 'frontMatter' | 'nesting'> = DEFAULT_LIMITS,
): { split: SplitFile | undefined; diagnostics: Diagnostic[] } {
  // Word and e-mail pastes bring CRLF and BOMs; line numbers stay the same after normalising.
  const text = source.text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const refuse = (rule: string, message: string) => ({
    split: undefined,
    diagnostics: [error(source.path, START, `front-matter/${rule}`, message)],
  });
  const notYaml =
    'front matter must be YAML: start the file with a plain `---` line (code in front matter is never run)';
  if (!text.startsWith('---')) {
    return refuse(
      'missing',
      'no front matter: start the file with a `---` line, then `title:` and `date:`, then `---`',
    );
  }
  if (!hasClosingFence(text)) {
    return refuse('unclosed', 'front matter is never closed: add a `---` line after the last front-matter key');
  }
  let parsed: matter.GrayMatterFile<string>;
  try {
    parsed = matter(text, {
      language: 'yaml',
      engines: { yaml: () => ({}), js: refuseCode, javascript: refuseCode },
    });
  } catch (cause) {
    if (cause instanceof RefusedLanguage || /engine .* is not registered/.test(String(cause))) {
      return refuse('language', notYaml);
    }
    throw new Error(`cannot split front matter of ${source.path}`, { cause });
  }
  if (parsed.language.trim().toLowerCase() !== 'yaml') return refuse('language', notYaml);
  // gray-matter's `matter` begins with the newline ending the opening fence, so YAML line N is file line N.
  const yamlBytes = byteSize(parsed.matter, limits.frontMatter);
  if (yamlBytes > limits.frontMatter) {
    return { split: undefined, diagnostics: [frontMatterSizeError(source.path, yamlBytes, limits.frontMatter)] };
  }
  const { data, diagnostics } = parseYaml(source.path, parsed.matter, limits.nesting);
  if (!data) return { split: undefined, diagnostics };
  const bodyStart = text.length - parsed.content.length;
  const bodyLine = text.slice(0, bodyStart).split('\n').length;
  return { split: { data, body: parsed.content, bodyLine }, diagnostics };
}
