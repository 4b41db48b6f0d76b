import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import nunjucks from 'nunjucks';

/** One template file: its content hash and the templates it names in `extends`, `include`, `import` and `from`. */
interface TemplateNode {
  readonly hash: string;
  /** Names it loads; `undefined` when a name is computed at render time or the file does not parse. */
  readonly uses: readonly string[] | undefined;
}

// @types/nunjucks does not describe the parser; this is the part of its node API we use.
interface ParsedNode {
  findAll(type: unknown): { template: { typename: string; value?: unknown } }[];
}
const parser = (nunjucks as unknown as { parser: { parse(src: string): ParsedNode } }).parser;
const nodeTypes = (nunjucks as unknown as { nodes: Record<'Extends' | 'Include' | 'Import' | 'FromImport', unknown> })
  .nodes;

/** The template names a template's source loads, or undefined when they cannot all be known before rendering. */
export function templateUses(source: string): string[] | undefined {
  let root: ParsedNode;
  try {
    root = parser.parse(source);
  } catch {
    return undefined;
  }
  const names: string[] = [];
  for (const type of [nodeTypes.Extends, nodeTypes.Include, nodeTypes.Import, nodeTypes.FromImport]) {
    for (const node of root.findAll(type)) {
      if (node.template.typename !== 'Literal' || typeof node.template.value !== 'string') return undefined;
      names.push(node.template.value);
    }
  }
  return names;
}

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

async function listTemplates(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const entry of entries) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) names.push(...(await listTemplates(dir, name)));
    else if (entry.isFile()) names.push(name);
  }
  return names.sort();
}

/**
 * The templates of a site and how they use each other: the part of the dependency graph that says which pages a
 * layout or partial change affects. {@link TemplateGraph.fingerprint} changes exactly when a template a page is
 * rendered with, or any template that one extends, includes or imports however deep, changes, appears or goes.
 */
export class TemplateGraph {
  readonly #nodes: ReadonlyMap<string, TemplateNode>;
  readonly #fingerprints = new Map<string, string>();
  /** A hash of every template: changes whenever any template does. */
  readonly version: string;

  private constructor(nodes: ReadonlyMap<string, TemplateNode>) {
    this.#nodes = nodes;
    this.version = sha1([...nodes].map(([name, node]) => `${name}\0${node.hash}`).join('\n'));
  }

  /** Reads every file below `dir`; files whose text is unchanged since `previous` are not parsed again. */
  static async load(dir: string, previous?: TemplateGraph): Promise<TemplateGraph> {
    const nodes = new Map<string, TemplateNode>();
    // Read at once, not one after another: a dev build reads them all for every save.
    const names = await listTemplates(dir);
    const texts = await Promise.all(names.map((name) => readFile(path.join(dir, name), 'utf8')));
    for (const [i, name] of names.entries()) {
      const text = texts[i] ?? '';
      const hash = sha1(text);
      const known = previous ? previous.#nodes.get(name) : undefined;
      nodes.set(name, known?.hash === hash ? known : { hash, uses: templateUses(text) });
    }
    return new TemplateGraph(nodes);
  }

  /** A hash of `name` and everything it loads, transitively; every template when a name is only known at runtime. */
  fingerprint(name: string): string {
    let known = this.#fingerprints.get(name);
    if (known === undefined) {
      const { names, dynamic } = this.#walk(name);
      known = dynamic
        ? this.version
        : sha1(names.map((n) => `${n}\0${this.#nodes.get(n)?.hash ?? 'missing'}`).join('\n'));
      this.#fingerprints.set(name, known);
    }
    return known;
  }

  /** Every template `names` load, transitively, themselves included; every template if any name is computed. */
  reachable(names: Iterable<string>): string[] {
    const found = new Set<string>();
    for (const name of names) {
      const walked = this.#walk(name);
      if (walked.dynamic) return [...this.#nodes.keys()];
      for (const n of walked.names) found.add(n);
    }
    return [...found].sort();
  }

  /** The templates `name` loads, transitively, itself included (for tests and diagnostics). */
  closure(name: string): string[] {
    return this.#walk(name).names;
  }

  #walk(name: string): { names: string[]; dynamic: boolean } {
    const seen = new Set<string>();
    let dynamic = false;
    const visit = (current: string): void => {
      if (seen.has(current)) return;
      seen.add(current);
      const uses = this.#nodes.get(current)?.uses;
      if (uses === undefined && this.#nodes.has(current)) dynamic = true;
      for (const used of uses ?? []) visit(used);
    };
    visit(name);
    return { names: [...seen].sort(), dynamic };
  }
}
