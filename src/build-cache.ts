import { createHash } from 'node:crypto';
import type nunjucks from 'nunjucks';
import type { SourceFile } from './content/discover.js';
import { loadPage, type Page } from './content/page.js';
import { type LoadContext, loadRelease, type Release } from './content/release.js';
import { TextCache } from './content/text-cache.js';
import type { Diagnostic } from './diagnostics.js';
import { createMarkdownProcessor, type RenderMarkdown } from './markdown/processor.js';
import { compileTemplate, createEnvironment } from './render/environment.js';
import { TemplateGraph } from './render/template-graph.js';
import { type Route, RouteMemo } from './site/routes.js';

interface Loaded<T> {
  readonly text: string;
  readonly contextKey: string;
  readonly value: T | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * What a long-lived process (the dev server) keeps between builds, so a build after an edit redoes only the work
 * the edit touched. A fresh cache makes a clean build; a build with a used cache must produce the same bytes.
 *
 * The dependency graph is kept in two parts. Templates: {@link TemplateGraph} knows which layouts and partials each
 * template extends, includes or imports. Content: each loaded release or page gets a version that changes with its
 * source text, and {@link BuildCache.signature} hashes everything a page is rendered from (its route with the
 * versions of the releases and pages it shows, the site data, and its template fingerprint), so a page is
 * rendered again exactly when one of its inputs changed.
 */
export class BuildCache {
  /** File texts, reread only when a file changed. */
  readonly texts = new TextCache();
  /** The Markdown processor, made once for the cache's life (it holds no per-file state). */
  readonly markdown: RenderMarkdown = createMarkdownProcessor();
  readonly #releases = new Map<string, Loaded<Release>>();
  readonly #pages = new Map<string, Loaded<Page>>();
  readonly #versions = new WeakMap<object, string>();
  #counter = 0;
  /** Route object -> hash of its data, with versions for the releases and pages in it. */
  readonly #routeHashes = new WeakMap<Route, string>();
  /** Release routes, kept while their release is unchanged. */
  readonly routes = new RouteMemo();
  #templates: TemplateGraph | undefined;
  #env:
    | { version: string; dir: string; env: nunjucks.Environment; compiled: Map<string, Diagnostic | undefined> }
    | undefined;

  #load<T extends object>(
    table: Map<string, Loaded<T>>,
    source: SourceFile,
    contextKey: string,
    load: () => { value: T | undefined; diagnostics: Diagnostic[] },
  ): Loaded<T> {
    const known = table.get(source.path);
    if (known && known.text === source.text && known.contextKey === contextKey) return known;
    const { value, diagnostics } = load();
    if (value) this.#versions.set(value, `${source.path}#${++this.#counter}`);
    const loaded = { text: source.text, contextKey, value, diagnostics };
    table.set(source.path, loaded);
    return loaded;
  }

  /** Loads a release, or returns the previous result when its text and the load context are unchanged. */
  release(source: SourceFile, context: LoadContext, contextKey: string): Loaded<Release> {
    return this.#load(this.#releases, source, contextKey, () => {
      const { release, diagnostics } = loadRelease(source, context);
      return { value: release, diagnostics };
    });
  }

  /** Loads a page, or returns the previous result when its text and the load context are unchanged. */
  page(source: SourceFile, context: LoadContext, contextKey: string): Loaded<Page> {
    return this.#load(this.#pages, source, contextKey, () => {
      const { page, diagnostics } = loadPage(source, context);
      return { value: page, diagnostics };
    });
  }

  /** Forgets sources that are gone. */
  retain(present: ReadonlySet<string>): void {
    for (const table of [this.#releases, this.#pages] as Map<string, unknown>[]) {
      for (const key of table.keys()) if (!present.has(key)) table.delete(key);
    }
  }

  /** The templates, reparsing only files that changed. */
  async templates(dir: string): Promise<TemplateGraph> {
    this.#templates = await TemplateGraph.load(dir, this.#templates);
    return this.#templates;
  }

  /**
   * The Nunjucks environment with `templates` compiled, made again whenever any template changed so its template
   * cache is never stale. Gives the templates' syntax errors instead when there are any: rendering must then not
   * start, as Nunjucks throws an included template's syntax error outside the render call, killing the process.
   */
  environment(
    dir: string,
    graph: TemplateGraph,
    templates: readonly string[],
    root: string,
  ): { env: nunjucks.Environment; diagnostics: Diagnostic[] } {
    if (this.#env?.version !== graph.version || this.#env.dir !== dir) {
      this.#env = { version: graph.version, dir, env: createEnvironment(dir), compiled: new Map() };
    }
    const { env, compiled } = this.#env;
    for (const name of templates) {
      if (!compiled.has(name)) compiled.set(name, compileTemplate(env, name, root));
    }
    const diagnostics = templates.map((name) => compiled.get(name)).filter((d): d is Diagnostic => d !== undefined);
    return { env, diagnostics };
  }

  /**
   * What `route` is rendered from, as a string that changes when any of it does: the site data every page sees
   * (`shared`, a hash), the fingerprint of its templates, and a hash of the route's own data. Route objects are
   * immutable and kept between builds while their inputs are the same objects, so the last hash is computed once
   * per route object: a layout change costs a string per page, not a serialisation.
   */
  signature(route: Route, shared: string, templates: TemplateGraph): string {
    let data = this.#routeHashes.get(route);
    if (data === undefined) {
      const json = JSON.stringify(route, (_key, value: unknown) =>
        typeof value === 'object' && value !== null ? (this.#versions.get(value) ?? value) : value,
      );
      data = createHash('sha1').update(json).digest('hex');
      this.#routeHashes.set(route, data);
    }
    return `${shared}:${templates.fingerprint(route.template)}:${data}`;
  }
}
