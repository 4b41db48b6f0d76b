import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type nunjucks from 'nunjucks';
import type { DiskCache } from './cache/disk-cache.js';
import { pipelineFingerprint } from './cache/fingerprint.js';
import { type IndexedFile, indexContext, readLoadIndex, siteFileName, writeLoadIndex } from './cache/load-index.js';
import type { Found, SourceFile } from './content/discover.js';
import { DEFAULT_LIMITS } from './content/limits.js';
import type { LoadItem, loadItem as LoadItemFunction, StoredResult } from './content/load-batch.js';
import { loadKey } from './content/load-key.js';
import type { LoadResult, LoadSettings, SourceKind } from './content/load-source.js';
import type { Page } from './content/page.js';
import type { Release } from './content/release.js';
import { slimRelease, ValuePool } from './content/slim-release.js';
import { TextCache } from './content/text-cache.js';
import type { Diagnostic } from './diagnostics.js';
import type { RenderMarkdown } from './markdown/processor.js';
import { compileTemplate, createEnvironment } from './render/environment.js';
import { TemplateGraph } from './render/template-graph.js';
import type { RoutedSite } from './site/body-edits.js';
import { type Route, RouteMemo, sharedKey } from './site/routes.js';
import { loadWithin, mustGuard } from './workers/load-within.js';
import type { WorkerPool } from './workers/pool.js';

interface Loaded<T> {
  readonly text: string;
  readonly contextKey: string;
  readonly value: T | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** How a {@link BuildCache} loads files it has not seen. */
export interface BuildCacheOptions {
  /** The persistent cache of load results (front matter, checks, rendered Markdown), if the build keeps one. */
  readonly disk?: DiskCache | undefined;
  /** Worker threads for large batches (default: one per core); 0 loads everything on the calling thread. */
  readonly threads?: number | undefined;
  /** Files to load below which the calling thread does it alone (starting threads costs about 100 ms). */
  readonly threadMin?: number | undefined;
  /** What cached results depend on besides their file (default: {@link pipelineFingerprint}). */
  readonly fingerprint?: string | undefined;
  /**
   * Keep file texts and release bodies in memory (default true: a long-lived process builds again from them).
   * False for a one-shot build with a persistent cache: bodies stay in the cache (`Release.htmlKey`) until a page
   * needs one, so memory grows with the releases' metadata, not their text.
   */
  readonly retain?: boolean | undefined;
  /**
   * For a one-shot build that stamped the site (see {@link siteStamp}): files whose stat is unchanged since the last
   * build are taken from its {@link LoadIndex} without being read; `read: false` makes a new index without using
   * the old one (after a body was found missing from the cache).
   */
  readonly index?: { readonly site: string; readonly files: ReadonlyMap<string, string>; readonly read?: boolean };
}

/** `items` in batches of {@link BATCH}, one message to a worker each. */
export function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

/** What one {@link BuildCache.load} call did, for the summary line. */
export interface LoadCounts {
  /** Files loaded again (not in memory, not on disk). */
  loaded: number;
  /** Files found in the persistent cache. */
  fromDisk: number;
  /** Of those, files taken from the load index: neither read nor looked up. */
  indexed: number;
}

const THREAD_MIN = 256;
/** Files looked up in the cache before a one-shot build decides whether it is warm (see {@link BuildCache.load}). */
const PROBE = 32;
/** Files per message to a worker: enough to make the message cost nothing, few enough to share the work evenly. */
const BATCH = 48;

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
  readonly texts: TextCache;
  /**
   * What loads files on this thread: the loader and the Markdown processor, imported and made on first use (a warm
   * build finds every file in the cache and never needs them) and kept for the cache's life.
   */
  #loader: Promise<{ loadItem: typeof LoadItemFunction; markdown: RenderMarkdown }> | undefined;
  readonly #tables = {
    release: new Map<string, Loaded<Release | Page>>(),
    page: new Map<string, Loaded<Release | Page>>(),
  };
  readonly #versions = new WeakMap<object, string>();
  /** Values shared by the releases a one-shot build keeps (see {@link slimRelease}). */
  readonly #shared = new ValuePool();
  readonly #options: BuildCacheOptions;
  #pool: WorkerPool | undefined;
  readonly counts: LoadCounts = { loaded: 0, fromDisk: 0, indexed: 0 };

  constructor(options: BuildCacheOptions = {}) {
    this.#options = options;
    this.texts = new TextCache(this.retains);
    // One file per site and language, replaced when the lists change: the last build's lists, under their key.
    const disk = this.retains ? undefined : options.disk;
    const site = options.index?.site;
    this.routes = new RouteMemo({
      keep: this.retains,
      versionOf: (value) => this.#versions.get(value),
      store:
        disk && site !== undefined
          ? {
              get: (lang, key) => {
                const value = disk.readNamed(siteFileName('related', site, lang)) as
                  | { key?: unknown; indexes?: unknown }
                  | undefined;
                return value?.key === key && Array.isArray(value.indexes) ? (value.indexes as number[][]) : undefined;
              },
              set: (lang, key, indexes) => void disk.writeNamed(siteFileName('related', site, lang), { key, indexes }),
            }
          : undefined,
    });
    this.#routeFile = disk && site !== undefined ? siteFileName('routes', site, '') : undefined;
  }

  readonly #same = new Map<string, { key: readonly unknown[]; value: unknown }>();

  /**
   * The value `make` gave the last time it was asked for under `name` with equal `key` parts (compared with ===),
   * else a new one. For pure functions of a file's text whose results are never changed, in a process that builds
   * again; a one-shot build just makes it.
   */
  same<T>(name: string, key: readonly unknown[], make: () => T): T {
    if (!this.retains) return make();
    const known = this.#same.get(name);
    if (known && known.key.length === key.length && known.key.every((part, i) => part === key[i])) {
      return known.value as T;
    }
    const value = make();
    this.#same.set(name, { key, value });
    return value;
  }

  /** The persistent cache, if the build keeps one. */
  get disk(): DiskCache | undefined {
    return this.#options.disk;
  }

  /** The version (content key) of a loaded release or page. */
  versionOf(value: object): string | undefined {
    return this.#versions.get(value);
  }

  /** Whether texts and bodies stay in memory (see {@link BuildCacheOptions.retain}). */
  get retains(): boolean {
    return this.#options.retain !== false || this.#options.disk === undefined;
  }
  /** Route object -> hash of its data, with versions for the releases and pages in it. */
  readonly #routeHashes = new WeakMap<Route, string>();
  /** Where a one-shot build keeps its route hashes for the next (see {@link RouteMemo.persistKey}). */
  readonly #routeFile: string | undefined;
  #stored: { context: string; hashes: ReadonlyMap<string, string> } | undefined;
  #nextHashes: Map<string, string> | undefined;
  /** The last build's routes, for a build whose only change is in release bodies (a long-lived process). */
  lastRouted: RoutedSite | undefined;
  /** What the last build found (a long-lived process): its unchanged source objects are kept by the next. */
  lastFound: Found | undefined;
  /** The last build's file size limit: a long-lived process reads no release or page over it (see discover). */
  readLimit: number = DEFAULT_LIMITS.fileSize;
  /** Per kind, the last load's sources and results: a source object seen again has the same result. */
  readonly #lastLoad = new Map<
    SourceKind,
    { sources: readonly SourceFile[]; contextKey: string; results: LoadResult[] }
  >();
  /**
   * Release routes, kept while their release is unchanged (a long-lived process); related lists on disk and persist
   * keys for one-shot builds, which keep no routes (they would only hold every route twice).
   */
  readonly routes: RouteMemo;
  #templates: TemplateGraph | undefined;
  #env:
    | { version: string; dir: string; env: nunjucks.Environment; compiled: Map<string, Diagnostic | undefined> }
    | undefined;

  /**
   * Loads `sources` of one kind: each from memory when its text and the context are unchanged, else from the
   * persistent cache under its content key, else by parsing it (on worker threads when there are many). Results
   * are in the order of `sources`.
   */
  async load(kind: SourceKind, sources: readonly SourceFile[], settings: LoadSettings): Promise<LoadResult[]> {
    const table = this.#tables[kind];
    let contextKey = JSON.stringify(settings);
    const last = this.retains ? this.#lastLoad.get(kind) : undefined;
    const kept = last?.contextKey === contextKey ? last : undefined;
    // The same string object from here on: the loop below compares it 10,000 times.
    if (kept) contextKey = kept.contextKey;
    const disk = this.#options.disk;
    const fingerprint = this.#options.fingerprint ?? pipelineFingerprint();
    const results: (LoadResult | undefined)[] = [];
    const missing: (LoadItem & { index: number })[] = [];
    // Without texts in memory (a one-shot build), files are read, keyed and looked up here while the first ones are
    // found in the cache (a warm build: no threads to start), else where they are loaded (a cold build: the threads
    // read them). Either way no text is kept.
    let lookHere = disk !== undefined;
    let hits = 0;
    const indexing = this.#indexing(kind, fingerprint, contextKey, sources.length);
    sources.forEach((source, index) => {
      if (!this.retains) {
        results.push(undefined);
        const indexed = indexing?.find(source.path);
        if (indexed) {
          hits++;
          this.counts.fromDisk++;
          this.counts.indexed++;
          const [, key, result] = indexed;
          results[index] = this.#remember(table, { path: source.path, text: '' }, contextKey, key, result, true);
          return;
        }
        if (!lookHere) {
          missing.push({ index, path: source.path, absolute: source.absolute });
          return;
        }
        const absolute = source.absolute ?? source.path;
        // A file over the size limit is not read here: the loader reports it from its stat. The site's stamp has
        // the size of most files ("size:mtime:ctime:ino"), which saves a stat each.
        const stamped = this.#options.index?.files.get(source.path);
        const size = stamped ? Number(stamped.slice(0, stamped.indexOf(':'))) : statSync(absolute).size;
        if (size > settings.limits.fileSize) {
          missing.push({ index, path: source.path, absolute });
          return;
        }
        const text = readFileSync(absolute, 'utf8');
        const key = loadKey(fingerprint, kind, contextKey, source.path, text);
        const stored = disk?.read(kind, key) as LoadResult | undefined;
        if (stored) {
          hits++;
          this.counts.fromDisk++;
          indexing?.add(source.path, key, stored);
          results[index] = this.#remember(table, { path: source.path, text: '' }, contextKey, key, stored, true);
        } else {
          missing.push({ index, path: source.path, absolute: source.absolute, key });
        }
        if (index + 1 === PROBE && hits < PROBE * 0.9) lookHere = false;
        return;
      }
      if (kept?.sources[index] === source) {
        results.push(kept.results[index]);
        return;
      }
      // Listed unread, over the size limit: the loader reports it from its stat (or reads it, if the limit went up).
      if (source.absolute !== undefined) {
        results.push(undefined);
        missing.push({ index, path: source.path, absolute: source.absolute });
        return;
      }
      const known = table.get(source.path);
      if (known && known.text === source.text && known.contextKey === contextKey) {
        results.push(known);
        return;
      }
      const key = loadKey(fingerprint, kind, contextKey, source.path, source.text);
      const stored = disk?.read(kind, key) as LoadResult | undefined;
      if (stored) this.counts.fromDisk++;
      results.push(stored && this.#remember(table, source, contextKey, key, stored, true));
      if (!stored) missing.push({ index, path: source.path, text: source.text, key });
    });
    /** Takes one result; `elsewhere` when a worker thread's own cache object saw a damaged entry, not `disk`. */
    const take = (item: LoadItem & { index: number }, one: StoredResult, elsewhere: boolean) => {
      if (one.fromDisk) this.counts.fromDisk++;
      else this.counts.loaded++;
      if (one.corrupt && elsewhere && disk) disk.counts.corrupt++;
      if (!one.stored && !one.fromDisk && one.key !== '' && elsewhere && disk) disk.counts.unwritable++;
      if (one.stored) indexing?.add(item.path, one.key, one.result);
      results[item.index] = this.#remember(
        table,
        { path: item.path, text: item.text ?? '', absolute: item.absolute },
        contextKey,
        one.key,
        one.result,
        one.stored,
      );
    };
    // Many files go to the worker threads, and so does a long file in a small build: only there can the time limit
    // stop it (see GUARD_BYTES). The rest are loaded here, while the threads start and work.
    const many = await this.pool(missing.length);
    const guarding = this.#options.threads !== 0;
    const away: typeof missing = [];
    const here: typeof missing = [];
    for (const item of missing) (many || (guarding && mustGuard(item)) ? away : here).push(item);
    const loader = here.length > 0 ? await this.#load() : undefined;
    const pool = many ?? (away.length > 0 ? await this.#threads() : undefined);
    const threaded = pool
      ? Promise.all(
          batches(away).map(async (batch) => {
            const job = { type: 'load', kind, items: batch, settings, cacheDir: disk?.dir, fingerprint } as const;
            const loaded = await loadWithin(pool, { ...job, bodies: this.retains }, settings.limits.markdownSeconds);
            batch.forEach((item, i) => {
              const one = loaded[i];
              if (one) take(item, one, true);
            });
          }),
        )
      : undefined;
    if (loader) {
      const context = { ...settings, assets: new Set(settings.assets), renderMarkdown: loader.markdown };
      for (const item of here)
        take(item, loader.loadItem({ kind, fingerprint, contextKey }, item, context, disk), false);
    }
    await threaded;
    indexing?.save();
    const loaded = results.map((r) => r ?? { value: undefined, diagnostics: [] });
    if (this.retains) this.#lastLoad.set(kind, { sources, contextKey, results: loaded });
    return loaded;
  }

  /** The load index of a one-shot build's `kind` of files: what it finds, and the next one, made on the way. */
  #indexing(kind: SourceKind, fingerprint: string, contextKey: string, count: number) {
    const disk = this.#options.disk;
    const options = this.#options.index;
    if (!disk || !options || this.retains) return undefined;
    const context = indexContext(fingerprint, kind, contextKey);
    const previous = options.read === false ? undefined : readLoadIndex(disk, options.site, kind, context);
    const files = new Map<string, IndexedFile>();
    let changed = previous?.files.size !== count;
    return {
      /** The indexed file, when its stat is the one it had (and trusted: not changed within a clock tick). */
      find(path: string): IndexedFile | undefined {
        const stat = options.files.get(path);
        const known = stat ? previous?.files.get(path) : undefined;
        if (known && known[0] === stat) {
          files.set(path, known);
          return known;
        }
        changed = true;
        return undefined;
      },
      /** Indexes a result that is in the persistent cache (its body is read from there). */
      add(path: string, key: string, result: LoadResult): void {
        const stat = options.files.get(path);
        if (!stat) return;
        // Bodies and contacts are only rendered, and the renderer reads them from the cache entry.
        const value = result.value?.kind === 'release' ? { ...result.value, html: '', contacts: [] } : result.value;
        files.set(path, [stat, key, { value, diagnostics: result.diagnostics }]);
      },
      save(): void {
        if (changed || files.size !== count) writeLoadIndex(disk, options.site, kind, { context, files }, previous);
      },
    };
  }

  #remember(
    table: Map<string, Loaded<Release | Page>>,
    source: SourceFile,
    contextKey: string,
    key: string,
    result: LoadResult,
    /** Whether the result is in the persistent cache, where its body can be read again. */
    stored: boolean,
  ): Loaded<Release | Page> {
    const retain = this.retains;
    const value =
      !retain && stored && result.value?.kind === 'release'
        ? slimRelease(result.value, key, this.#shared)
        : result.value;
    // The content key is the value's version: the same file in the same context has the same one in every process.
    if (value) this.#versions.set(value, key);
    const text = retain ? source.text : '';
    const loaded = { text, contextKey, value, diagnostics: result.diagnostics };
    // Only a process that builds again looks results up here; a file listed unread has no text to compare with.
    if (retain && source.absolute === undefined) table.set(source.path, loaded);
    return loaded;
  }

  /** The worker threads, for a job of `size` files or pages; none when the calling thread should do it alone. */
  async pool(size: number): Promise<WorkerPool | undefined> {
    return size < (this.#options.threadMin ?? THREAD_MIN) ? undefined : this.#threads();
  }

  /** The worker threads, started on first use; none with `threads: 0`. */
  async #threads(): Promise<WorkerPool | undefined> {
    if (this.#options.threads === 0) return undefined;
    if (!this.#pool) {
      // Imported here: a build small or warm enough to need no threads never loads piscina.
      const { WorkerPool } = await import('./workers/pool.js');
      this.#pool ??= new WorkerPool(this.#options.threads);
    }
    return this.#pool;
  }

  /** The loader and Markdown processor for this thread, imported on first use. */
  #load(): Promise<{ loadItem: typeof LoadItemFunction; markdown: RenderMarkdown }> {
    this.#loader ??= Promise.all([import('./content/load-batch.js'), import('./markdown/processor.js')]).then(
      ([batch, processor]) => ({ loadItem: batch.loadItem, markdown: processor.createMarkdownProcessor() }),
    );
    return this.#loader;
  }

  /** Stops the worker threads, if any were started. */
  async close(): Promise<void> {
    await this.#pool?.close();
    this.#pool = undefined;
  }

  /** Forgets sources that are gone. */
  retain(present: ReadonlySet<string>): void {
    for (const table of Object.values(this.#tables)) {
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
      // A one-shot build takes the hash of a route made of the same data from the last build's file.
      const persisted = this.routes.persistKey(route);
      data = persisted === undefined ? undefined : this.#storedHashes()?.get(persisted);
      if (data === undefined) data = this.#hashRoute(route);
      if (persisted !== undefined) this.#nextHashes?.set(persisted, data);
      this.#routeHashes.set(route, data);
    }
    return `${shared}:${templates.fingerprint(route.template)}:${data}`;
  }

  /** The route hashes the last one-shot build of this site saved, when made by the same code in the same context. */
  #storedHashes(): ReadonlyMap<string, string> | undefined {
    if (this.#routeFile === undefined || !this.#options.disk) return undefined;
    const context = `${this.#options.fingerprint ?? pipelineFingerprint()}\0${this.routes.context}`;
    if (this.#stored?.context !== context) {
      const value = this.#options.disk.readNamed(this.#routeFile) as
        | { context?: unknown; hashes?: unknown }
        | undefined;
      const hashes = value?.context === context && value.hashes instanceof Map ? value.hashes : new Map();
      this.#stored = { context, hashes: hashes as Map<string, string> };
      this.#nextHashes = new Map();
    }
    return this.#stored.hashes;
  }

  /** Saves the route hashes of this build for the next (one-shot builds with a persistent cache). */
  saveRouteHashes(): void {
    const stored = this.#stored;
    const next = this.#nextHashes;
    if (!stored || !next || this.#routeFile === undefined || !this.#options.disk) return;
    const same = next.size === stored.hashes.size && [...next].every(([k, v]) => stored.hashes.get(k) === v);
    if (!same) this.#options.disk.writeNamed(this.#routeFile, { context: stored.context, hashes: next });
  }

  /** A hash of a route's data, with content keys for the releases and pages in it and hashes for shared values. */
  #hashRoute(route: Route): string {
    const json = JSON.stringify(route, (_key, value: unknown) =>
      typeof value === 'object' && value !== null ? (this.#versions.get(value) ?? sharedKey(value) ?? value) : value,
    );
    return createHash('sha1').update(json).digest('hex');
  }
}
