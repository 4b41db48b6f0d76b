import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BuildCache, batches } from './build-cache.js';
import { type BuildProgress, silentProgress } from './build-progress.js';
import { DiskCache } from './cache/disk-cache.js';
import { pipelineFingerprint } from './cache/fingerprint.js';
import { type AssetFile, discover, isInside, type Listing, type SourceFile, type Sources } from './content/discover.js';
import { DEFAULT_LIMITS, tooManyFiles } from './content/limits.js';
import type { Page } from './content/page.js';
import type { Release } from './content/release.js';
import { publicPath } from './content/release.js';
import { loadNavigation, loadSiteConfig, type SiteConfig } from './content/site-data.js';
import { checkTermLabels, checkTranslations } from './content/translation-check.js';
import { loadTranslations, Translations } from './content/translations.js';
import { type Diagnostic, error, hasErrors, sortDiagnostics } from './diagnostics.js';
import { type BuildState, readState, statePath, type UnchangedCheck, writeState } from './output/build-state.js';
import { type DeployOutput, deployOutput } from './output/deploy-output.js';
import { type AssetPlan, planAssets } from './output/plan-assets.js';
import { SearchIndexer, searchFiles } from './output/search-index.js';
import { planSearch, type SearchPlan, shardKeys } from './output/search-shards.js';
import { siteStamp } from './output/site-stamp.js';
import {
  OutputError,
  type OutputFile,
  openOutput,
  type PreviousOutput,
  type ReusedFile,
  type WriteCounts,
} from './output/write-site.js';
import { pacer } from './pacer.js';
import { Profile } from './profile.js';
import { MANIFEST_PATH, readManifestFile, sha256Of, sha256OfFile } from './publish/manifest.js';
import { isBodyGone, type RenderedBatch, type RenderSettings, unpackBatch, withBodies } from './render/render-batch.js';
import { type RenderedRoute, renderRoute } from './render/render-route.js';
import { reuseRoutes } from './site/body-edits.js';
import { findClashes } from './site/clashes.js';
import { basePathOf, type SiteLinks, siteLinks } from './site/links.js';
import { checkNavigation, localNavigation } from './site/navigation.js';
import { futureDateWarnings, nextEmbargo } from './site/publication.js';
import { buildRoutes, type Route } from './site/routes.js';
import { collectTerms } from './site/taxonomy.js';

/** How to build: the CLI's options after parsing. */
export interface BuildOptions {
  /** Site root (holds content/, templates/, public/). */
  readonly root: string;
  /** Output directory; defaults to `<root>/dist`. */
  readonly out?: string | undefined;
  /** Overrides `baseUrl` from site.yaml. */
  readonly baseUrl?: string | undefined;
  /** Include drafts and embargoed releases (previews only). */
  readonly includeDrafts: boolean;
  /** The moment embargoes are judged against. */
  readonly now: Date;
  /** Write the output (`build`) or only check (`check`). */
  readonly write: boolean;
  /** Index the published releases for on-site search (default true; the dev server's output has no index). */
  readonly search?: boolean | undefined;
  /** Write `.br` and `.gz` copies of text files over 1 KB beside them. */
  readonly compress?: boolean | undefined;
  /**
   * Build for the CDN (default true): base path on links, fingerprinted assets, `_headers`, `_redirects` and the
   * manifest. False builds what the dev server serves (the site at its root, files under their own names), which
   * is what its output is checked against.
   */
  readonly deploy?: boolean | undefined;
  /**
   * The persistent cache of loaded files (front matter, checks, rendered Markdown), kept between builds; none when
   * undefined. The CLI's default is `<root>/.cache/newsroom`.
   */
  readonly cacheDir?: string | undefined;
  /** Worker threads for loading files (default: one per core; 0: none). */
  readonly threads?: number | undefined;
  /** Collects the wall time of each stage (`--profile`). */
  readonly profile?: Profile | undefined;
  /** Told of each stage and how far through it the build is (the CLI's progress line). */
  readonly progress?: BuildProgress | undefined;
}

/** What a build did. */
export interface BuildResult {
  readonly diagnostics: Diagnostic[];
  readonly routes: Route[];
  /** The files rendered, by output path (a build holds no page's text past writing it). */
  readonly files: readonly { readonly path: string }[];
  readonly outDir: string;
  /** True when the output directory now holds this build. */
  readonly written: boolean;
  readonly stats: BuildStats;
  /**
   * When cache entries could not be written (a full or read-only disk): the error code of the first failure seen on
   * the main thread, or undefined when only worker threads failed. The build is complete; the next one is slower.
   */
  readonly cacheFailure?: { readonly dir: string; readonly code: string | undefined } | undefined;
}

/** What a build did, in numbers: the summary line. */
export interface BuildStats {
  /** Releases and pages found. */
  readonly sources: number;
  /** HTML pages, and other generated files (feeds, sitemaps), in the output. */
  readonly pages: number;
  readonly feeds: number;
  /** Of those, loaded again (parsed and rendered) rather than taken from the cache. */
  readonly loaded: number;
  /** Taken from the persistent cache. */
  readonly fromCache: number;
  /** Of those, taken from the load index (unchanged since the last build: not even read). */
  readonly indexed: number;
  /** Cache entries found damaged (then made again, never used). */
  readonly corrupt: number;
  /** Cache entries that could not be written (a full or read-only disk): the build goes on without them. */
  readonly unwritable: number;
  /** Pages and feeds rendered. */
  readonly rendered: number;
  /** Files written into the output, and files already there with the same bytes. */
  readonly written: number;
  readonly unchanged: number;
  readonly milliseconds: number;
}

/** A site loaded and routed, ready to render: what a build and the dev server's incremental build share. */
export interface CompiledSite {
  readonly sources: Sources;
  /** The walk it was made from, for the next incremental compile. */
  readonly listing: Listing;
  /** Diagnostics from everything before rendering, unsorted. */
  readonly diagnostics: readonly Diagnostic[];
  readonly routes: readonly Route[];
  /** The releases loaded without errors, published or not (for scheduling embargoes). */
  readonly releases: readonly Release[];
  readonly assets: readonly AssetFile[];
  /** Undefined when site.yaml is missing or invalid: nothing can be rendered. */
  readonly site: SiteConfig | undefined;
  /** A hash of everything `route` is rendered from: equal signatures render equal bytes. */
  signature(route: Route): string;
  /**
   * What a route's signature depends on besides the route itself: the same route object has the same signature
   * in every build with the same context (a long-lived process keeps route objects a change did not touch).
   */
  readonly signatureContext: string;
  /** False when site.yaml or a template is broken: nothing can be rendered. */
  readonly renderable: boolean;
  /** Renders one route, or gives the template problem as a diagnostic. */
  render(route: Route): RenderedRoute;
  /**
   * Renders `routes` in order, on worker threads when there are many, giving each result as it is ready: at most a
   * few batches are ahead of the caller, so a slow consumer (writes, the search index) holds back the renders.
   */
  renderAll(routes: readonly Route[]): AsyncIterable<readonly [Route, RenderedRoute<string | Uint8Array>]>;
  /** How URLs are written: with the base path and fingerprinted names in a deploy build, as they are in dev. */
  readonly links: SiteLinks;
  /** The public/ files hashed and rewritten, in a deploy build. */
  readonly assetPlan: AssetPlan | undefined;
}

/** A rendered page or feed: text, or its UTF-8 bytes when a worker thread rendered it. */
export type RenderedFile = OutputFile;

/** Batches of pages sent to the worker threads ahead of the one being written. */
const RENDER_AHEAD = 6;

/** Refuses output directories whose swap would replace the sources. */
function checkOutDir(root: string, out: string): void {
  const protectedDirs = ['content', 'templates', 'public', 'src'].map((d) => path.join(root, d));
  if (isInside(out, root) || protectedDirs.some((d) => isInside(d, out))) {
    throw new OutputError(`--out ${out} would overwrite the site's sources: choose a directory like dist/`, out);
  }
}

/** The output directory a build of `root` writes to. */
export function outputDirectory(root: string, out: string | undefined): string {
  const dir = path.resolve(out ?? path.join(root, 'dist'));
  checkOutDir(root, dir);
  return dir;
}

/** What compiling needs: the build options without the output. */
export type CompileOptions = Pick<
  BuildOptions,
  'root' | 'baseUrl' | 'includeDrafts' | 'now' | 'profile' | 'progress'
> & {
  /**
   * Compile for serving from the base URL (a build): links carry its path prefix and assets get fingerprinted
   * names. The dev server compiles without it, serving the site at its root under the files' own names.
   */
  readonly deploy?: boolean | undefined;
};

/** What a watcher knows about the changes since the last compile. */
export interface ChangeHints {
  /** Root-relative files that changed: always read again. */
  readonly changed: ReadonlySet<string>;
  /** The previous walk, when no file or folder appeared, went or moved: reused instead of walking again. */
  readonly listing?: Listing | undefined;
}

/**
 * Discovers, loads, validates and routes the whole site: every stage before rendering. With a `cache` kept from
 * the previous run, only changed files are read and loaded again.
 */
export async function compileSite(
  options: CompileOptions,
  cache: BuildCache = new BuildCache(),
  hints: ChangeHints = { changed: new Set() },
): Promise<CompiledSite> {
  const profile = options.profile ?? new Profile();
  const progress = options.progress ?? silentProgress;
  progress.stage('reading files');
  const found = await profile.time('discover and read', () =>
    discover(options.root, {
      texts: cache.texts,
      unread: !cache.retains,
      readLimit: cache.readLimit,
      ...hints,
      previous: cache.lastFound,
    }),
  );
  if (cache.retains) cache.lastFound = found;
  const siteDataStart = performance.now();
  const { sources } = found;
  const diagnostics: Diagnostic[] = [...found.diagnostics];

  // Site data is parsed again only when its text changed (a dev server's body edit reads it, but keeps the parse).
  const fileKey = (source: SourceFile | undefined) => [source?.path, source?.text];
  const siteConfig = cache.same('site', [...fileKey(sources.site), options.baseUrl], () =>
    loadSiteConfig(sources.site, options.baseUrl),
  );
  diagnostics.push(...siteConfig.diagnostics);
  const site = siteConfig.config;
  const limits = site?.limits ?? DEFAULT_LIMITS;
  cache.readLimit = limits.fileSize;
  const nav = cache.same('navigation', [...fileKey(sources.navigation), limits.fileSize], () =>
    loadNavigation(sources.navigation, limits.fileSize),
  );
  diagnostics.push(...nav.diagnostics);
  const language = site?.language ?? 'en';
  const languages = site?.languages ?? [language];
  const loadedTranslations = cache.same(
    'translations',
    [...fileKey(sources.translations), limits.fileSize, ...languages],
    () => loadTranslations(sources.translations, languages, limits.fileSize),
  );
  diagnostics.push(...loadedTranslations.diagnostics);
  const translations = loadedTranslations.translations ?? Translations.fallback(languages);
  const assetPaths = sources.assets.map((a) => a.outputPath);
  const basePath = options.deploy && site ? basePathOf(site.baseUrl) : '';
  const assetPlan = options.deploy ? await planAssets(sources.assets, basePath) : undefined;
  if (assetPlan) diagnostics.push(...assetPlan.diagnostics);
  const links = siteLinks(site?.baseUrl ?? '', basePath, assetPlan?.names ?? new Map());
  if (site?.image?.startsWith('/') && !assetPaths.includes(publicPath(site.image)) && sources.site) {
    diagnostics.push(
      error(
        sources.site.path,
        { line: 1, column: 1 },
        'site/image',
        `image ${site.image} is not in public/: add the file or fix the path`,
      ),
    );
  }

  profile.add('site data and assets', performance.now() - siteDataStart);
  progress.stage('loading', sources.releases.length + sources.pages.length);
  const loadStart = performance.now();
  // A release's load result depends on these too (the languages and base URL, whether its image exists).
  const settings = {
    defaultLanguage: language,
    languages,
    baseUrl: site?.baseUrl ?? '',
    assets: assetPaths,
    limits: {
      fileSize: limits.fileSize,
      frontMatter: limits.frontMatter,
      nesting: limits.nesting,
      markdownSeconds: limits.markdownSeconds,
    },
  };
  // Over the limit on files, none is loaded: the site is reported as too big, not cut.
  const sourceCount = sources.releases.length + sources.pages.length;
  const tooMany = sourceCount > limits.files;
  if (tooMany)
    diagnostics.push(tooManyFiles(sources.site?.path ?? 'content/_data/site.yaml', sourceCount, limits.files));
  const releases: Release[] = [];
  for (const loaded of await cache.load('release', tooMany ? [] : sources.releases, settings)) {
    diagnostics.push(...loaded.diagnostics);
    if (loaded.value?.kind === 'release') releases.push(loaded.value);
  }
  const pages: Page[] = [];
  for (const loaded of await cache.load('page', tooMany ? [] : sources.pages, settings)) {
    diagnostics.push(...loaded.diagnostics);
    if (loaded.value?.kind === 'page') pages.push(loaded.value);
  }
  // Files can only have gone when the tree was walked again.
  if (found.listing !== hints.listing)
    cache.retain(new Set([...sources.releases, ...sources.pages].map((s) => s.path)));
  profile.add('load (front matter, Markdown)', performance.now() - loadStart);
  const routeStart = performance.now();

  const siteTitle = site?.title ?? '';
  const routeContext = createHash('sha1')
    .update(JSON.stringify([sources.translations?.text, siteTitle, options.includeDrafts, languages]))
    .digest('hex');
  const visiblePages = pages.filter((p) => !p.draft || options.includeDrafts);
  const navigation = new Map(
    languages.map((lang) => [lang, localNavigation(nav.navigation, visiblePages, translations, lang)]),
  );
  // Everything the routes and their checks are made from, besides the releases and `now`.
  const routeInputs = createHash('sha1')
    .update(
      JSON.stringify([
        routeContext,
        sources.navigation?.text,
        sources.navigation?.path,
        language,
        assetPaths,
        pages.map((p) => cache.versionOf(p) ?? JSON.stringify(p)),
      ]),
    )
    .digest('hex');
  const reused = cache.retains ? reuseRoutes(cache.lastRouted, routeInputs, releases, options.now) : undefined;
  let routes: Route[];
  if (reused) {
    routes = reused.routes;
    diagnostics.push(...reused.diagnostics);
  } else {
    const routeDiagnostics: Diagnostic[] = [...futureDateWarnings(releases, options.now)];
    const { taxonomy, diagnostics: termProblems } = collectTerms(releases);
    routeDiagnostics.push(...termProblems, ...checkTranslations(releases, pages, language));
    if (loadedTranslations.translations) {
      routeDiagnostics.push(...checkTermLabels(releases, loadedTranslations.translations));
    }
    cache.routes.begin(routeContext);
    // A robots.txt of the site's own in public/ replaces the generated one.
    routes = buildRoutes(
      releases,
      pages,
      nav.navigation,
      {
        now: options.now,
        includeDrafts: options.includeDrafts,
        siteTitle,
        translations,
        taxonomy,
        localNavigation: navigation,
      },
      cache.routes,
    ).filter((route) => route.kind !== 'robots' || !assetPaths.includes(route.outputPath));
    cache.routes.end();
    routeDiagnostics.push(...findClashes(routes, assetPaths));
    if (sources.navigation) {
      routeDiagnostics.push(...checkNavigation(nav.navigation, routes, sources.navigation.path));
    }
    diagnostics.push(...routeDiagnostics);
    if (cache.retains) {
      cache.lastRouted = {
        key: routeInputs,
        releases,
        routes,
        diagnostics: routeDiagnostics,
        ...timeWindow(releases, options.now),
      };
    }
  }

  profile.add('routes and checks', performance.now() - routeStart);
  const templateStart = performance.now();
  const templates = await cache.templates(sources.templatesDir);
  const used = templates.reachable(new Set(routes.map((r) => r.template).filter(Boolean)));
  const { env, diagnostics: templateProblems } = cache.environment(sources.templatesDir, templates, used, sources.root);
  diagnostics.push(...templateProblems);
  profile.add('templates (compile)', performance.now() - templateStart);
  const renderable =
    site !== undefined && loadedTranslations.translations !== undefined && templateProblems.length === 0;
  const shared = createHash('sha1')
    .update(
      JSON.stringify({
        site,
        navigation: [...navigation],
        translations: sources.translations?.text,
        links: [links.basePath, ...links.assetNames],
      }),
    )
    .digest('hex');
  const renderContext = site && {
    site,
    translations,
    navigation,
    root: sources.root,
    preview: options.includeDrafts,
    links,
  };
  const render = (route: Route): RenderedRoute =>
    renderable && renderContext
      ? renderRoute(env, withBodies(route, cache.disk), renderContext)
      : { html: undefined, diagnostic: undefined, assets: [] };
  const renderSettings: RenderSettings | undefined = site && {
    templatesDir: sources.templatesDir,
    root: sources.root,
    site,
    translations: sources.translations,
    languages,
    navigation: [...navigation],
    preview: options.includeDrafts,
    basePath: links.basePath,
    assetNames: [...links.assetNames],
    cacheDir: cache.disk?.dir,
  };
  const renderKey = `${shared}:${templates.version}:${options.includeDrafts}`;
  async function* renderAll(
    list: readonly Route[],
  ): AsyncIterable<readonly [Route, RenderedRoute<string | Uint8Array>]> {
    const pool = renderable && renderSettings ? await cache.pool(list.length) : undefined;
    if (!pool || !renderSettings) {
      const pause = pacer();
      for (const route of list) {
        const wait = pause();
        if (wait) await wait;
        yield [route, render(route)];
      }
      return;
    }
    const settings = renderSettings;
    const queue = batches(list);
    const ahead: Promise<RenderedBatch>[] = [];
    const send = (batch: Route[] | undefined) => {
      if (!batch) return;
      const running = pool.run({ type: 'render', key: renderKey, settings, routes: batch });
      // Awaited in order below; a later batch failing first must not count as an unhandled rejection meanwhile.
      running.catch(() => undefined);
      ahead.push(running);
    };
    for (let i = 0; i < RENDER_AHEAD; i++) send(queue[i]);
    for (const [index, batch] of queue.entries()) {
      const results = unpackBatch(await (ahead.shift() as Promise<RenderedBatch>));
      send(queue[index + RENDER_AHEAD]);
      for (const [i, route] of batch.entries()) {
        const result = results[i];
        if (result) yield [route, result];
      }
    }
  }
  return {
    sources,
    listing: found.listing,
    diagnostics,
    routes,
    releases,
    assets: sources.assets,
    site,
    signature: (route) => cache.signature(route, shared, templates),
    signatureContext: `${shared}:${templates.version}`,
    renderable,
    render,
    renderAll,
    links,
    assetPlan,
  };
}

/** Renders `routes`, reporting each template problem once however many pages hit it. */
export async function renderRoutes(
  compiled: CompiledSite,
  routes: readonly Route[],
  /** Called with each rendered file; a promise it returns is waited for before the next route. */
  onFile?: (file: RenderedFile, route: Route) => Promise<void> | undefined,
  progress: BuildProgress = silentProgress,
  /** Keep the rendered files in the result (false when `onFile` writes them: a build never holds every page). */
  keep = true,
): Promise<{
  files: RenderedFile[];
  /** The output paths of the files rendered (kept or not). */
  paths: string[];
  diagnostics: Diagnostic[];
  assets: Set<string>;
  assetsOf: Map<string, readonly string[]>;
}> {
  const files: RenderedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const assets = new Set<string>();
  const assetsOf = new Map<string, readonly string[]>();
  const paths: string[] = [];
  if (!compiled.renderable) return { files, paths, diagnostics, assets, assetsOf };
  const seen = new Set<string>();
  // Most pages use the same few assets: each distinct list is kept once, not once per page.
  const lists = new Map<string, readonly string[]>();
  progress.stage('rendering', routes.length);
  let done = 0;
  for await (const [route, rendered] of compiled.renderAll(routes)) {
    if (++done % 256 === 0) progress.advance(done);
    for (const asset of rendered.assets) assets.add(asset);
    const used = [...new Set(rendered.assets)].sort();
    const key = used.join('\n');
    const list = lists.get(key) ?? used;
    lists.set(key, list);
    assetsOf.set(route.outputPath, list);
    if (rendered.html !== undefined) {
      const file = { path: route.outputPath, contents: rendered.html };
      paths.push(file.path);
      if (keep) files.push(file);
      const busy = onFile?.(file, route);
      if (busy) await busy;
    } else if (rendered.diagnostic) {
      const key = JSON.stringify(rendered.diagnostic);
      if (!seen.has(key)) diagnostics.push(rendered.diagnostic);
      seen.add(key);
    }
  }
  return { files, paths, diagnostics, assets, assetsOf };
}

/** Whether a build with these diagnostics may be written. */
export function canWrite(compiled: CompiledSite, diagnostics: readonly Diagnostic[]): boolean {
  return compiled.site !== undefined && !hasErrors(diagnostics);
}

/** Runs the whole pipeline: discover -> front matter -> validate -> Markdown -> routes -> templates -> write. */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  // Refuse a dangerous --out before any work.
  const outDir = outputDirectory(await realpath(options.root), options.out);
  const deploy = options.deploy !== false;
  const profile = options.profile ?? new Profile();
  const progress = options.progress ?? silentProgress;
  // Stamped before anything is read, so an edit made during the build is seen by the next one.
  // Only a build with a cache directory keeps a state to compare the stamp with next time.
  const site = await realpath(options.root);
  const stamped = options.write && deploy && options.cacheDir !== undefined ? siteStamp(site) : undefined;
  const stamp = stamped?.stamp;
  const unchanged = stamp && (await unchangedOutput(options, outDir, stamp));
  if (unchanged) {
    return {
      diagnostics: [...unchanged.diagnostics],
      routes: [],
      files: [],
      outDir,
      written: true,
      stats: {
        sources: unchanged.sources,
        pages: unchanged.pages,
        feeds: unchanged.feeds,
        loaded: 0,
        fromCache: 0,
        indexed: 0,
        corrupt: 0,
        unwritable: 0,
        rendered: 0,
        written: 0,
        unchanged: unchanged.files,
        milliseconds: performance.now() - started,
      },
    };
  }
  const disk = options.cacheDir === undefined ? undefined : new DiskCache(options.cacheDir);
  const run = async (read: boolean) => {
    const cache = new BuildCache({
      disk,
      threads: options.threads,
      retain: false,
      ...(stamped && { index: { site, files: stamped.files, read } }),
    });
    try {
      return await buildWith(options, cache, { outDir, deploy, profile, progress, disk, started, stamp });
    } finally {
      await cache.close();
    }
  };
  try {
    return await run(true);
  } catch (cause) {
    // A body the load index pointed to was gone or damaged: the output was left as it was; load every file again,
    // which finds, counts and remakes the damaged entries, and makes a new index.
    if (!stamped || !isBodyGone(cause)) throw cause;
    return await run(false);
  } finally {
    progress.end();
  }
}

async function buildWith(
  options: BuildOptions,
  cache: BuildCache,
  { outDir, deploy, profile, progress, disk, started, stamp }: BuildRun,
): Promise<BuildResult> {
  const compiled = await compileSite({ ...options, deploy, profile, progress }, cache);
  const writable = options.write && canWrite(compiled, compiled.diagnostics);
  // What the output being replaced holds and what each of its files was made from: a page whose inputs are all
  // unchanged is not rendered again but linked from there.
  const context = stateContext(options, deploy);
  const [previous, state] = await profile.time('previous output', () =>
    writable && deploy ? previousWithState(outDir, options.cacheDir, context) : [undefined, undefined],
  );
  const record = writable && deploy;
  const plan = await profile.time('plan (signatures)', () =>
    planRender(compiled, previous, state, { search: options.search !== false, record }),
  );
  // Files are written as they are rendered, into a temporary directory that replaces the output only if the build
  // succeeds, so no build holds every page in memory. The asset plan and the manifest come at the end: `output` is
  // settled once every page has said which assets it uses.
  let output: DeployOutput | undefined;
  let indexer: SearchIndexer | undefined;
  const writer = writable
    ? await openOutput(outDir, {
        previous,
        // The search index, finished once every page is in it: the shards made again and the list of all of them.
        more: async () => {
          if (!plan.search) return [];
          progress.stage('indexing search');
          const search = indexer;
          const made = search ? await profile.time('search (finish)', () => search.finish()) : [];
          return searchFiles(made, [...plan.search.kept.keys()], outDir);
        },
        // Only pages and feeds are written before `output` is settled: their quality (see deployOutput).
        compress: options.compress ? (file) => output?.brotliQuality(file) ?? 5 : undefined,
        seal: deploy ? (written) => output?.seal(written) ?? [] : undefined,
      })
    : undefined;
  try {
    // Search indexing runs beside rendering and writing (Pagefind is its own process); only published releases are
    // searchable, even in a preview build. Each year is a shard of the index: one none of whose releases changed is
    // kept from the previous output.
    const shards = plan.search;
    const search =
      writable && shards && shards.indexed.length > 0
        ? await profile.time('search (start)', () => SearchIndexer.open(shards.indexed))
        : undefined;
    indexer = search;
    // Pagefind's output depends on the order pages are added in: the routes' order. A shard none of whose pages is
    // reused gets them as they are rendered; the others ("held") after, unchanged ones read from the previous output.
    const indexing = new Set(search ? shards?.indexed : []);
    const held = new Set(
      plan.reused.map((file) => shards?.shardOfPage.get(file.path) ?? '').filter((s) => indexing.has(s)),
    );
    const heldForSearch = new Map<string, RenderedFile>();
    const rendered = await profile.time('render', () =>
      renderRoutes(
        compiled,
        plan.render,
        (file, route) => {
          if (record && !plan.signatures.has(route.outputPath)) {
            plan.signatures.set(route.outputPath, compiled.signature(route));
          }
          const shard = shards?.shardOfPage.get(route.outputPath) ?? '';
          if (held.has(shard)) heldForSearch.set(file.path, file);
          const indexed = search && indexing.has(shard) && !held.has(shard) ? search.add(shard, file) : undefined;
          const writing = writer?.write(file);
          return indexed || writing ? Promise.all([indexed, writing]).then(() => undefined) : undefined;
        },
        progress,
        false,
      ),
    );
    if (search && shards && held.size > 0) {
      await profile.time('search (reused pages)', async () => {
        for (const shard of held) {
          for (const page of shards.shards.get(shard) ?? []) {
            const file = heldForSearch.get(page) ?? {
              path: page,
              contents: await readFile(path.join(outDir, page), 'utf8'),
            };
            const busy = search.add(shard, file);
            if (busy) await busy;
          }
        }
      });
    }
    const sorted = sortDiagnostics([...compiled.diagnostics, ...rendered.diagnostics]);
    const ok = canWrite(compiled, sorted);
    const pages = compiled.routes.filter((r) => r.outputPath.endsWith('.html')).length;
    const counts = {
      sources: compiled.sources.releases.length + compiled.sources.pages.length,
      pages,
      feeds: compiled.routes.length - pages,
    };
    let written: WriteCounts | undefined;
    if (!ok || !writer) {
      await writer?.abort();
    } else if (!deploy) {
      progress.stage('writing');
      written = await profile.time('write', async () => {
        for (const copy of compiled.assets) await writer.copy(copy);
        return writer.commit();
      });
    } else if (compiled.site) {
      const site = compiled.site;
      const assetsOf = new Map([...plan.assetsOf, ...rendered.assetsOf]);
      const settled = await profile.time('deploy (assets, headers)', () =>
        deployOutput({
          routes: compiled.routes,
          plan: compiled.assetPlan,
          links: compiled.links,
          site,
          referenced: new Set([...new Set(assetsOf.values())].flat()),
          now: options.now,
          nextBuildAt: nextEmbargo(compiled.releases, options.now),
          drafts: options.includeDrafts,
        }),
      );
      output = settled;
      const nextState: Omit<BuildState, 'manifest' | 'unchanged'> = {
        context,
        routes: new Map(
          compiled.routes.map((route) => [
            route.outputPath,
            { signature: plan.signatures.get(route.outputPath) ?? '', assets: assetsOf.get(route.outputPath) ?? [] },
          ]),
        ),
        search: plan.search ? shardKeys(plan.search.shards, plan.signatures) : null,
      };
      progress.stage('writing');
      written = await profile.time('write', async () => {
        const keptSearch = [...(plan.search?.kept.values() ?? [])].flat();
        for (const file of [...plan.reused, ...keptSearch]) await writer.reuse(file);
        for (const file of settled.files) await writer.write(file);
        for (const copy of settled.copies) await writer.copy(copy);
        return writer.commit();
      });
      cache.saveRouteHashes();
      const manifest = await sha256OfFile(path.join(outDir, MANIFEST_PATH));
      if (options.cacheDir !== undefined && manifest !== undefined) {
        const unchanged: UnchangedCheck | null =
          stamp === undefined
            ? null
            : {
                key: unchangedKey(options, outDir),
                stamp,
                ...timeWindow(compiled.releases, options.now),
                diagnostics: sorted,
                ...counts,
                files: written.written + written.unchanged,
              };
        const failed = await writeState(statePath(options.cacheDir, outDir), {
          ...nextState,
          manifest,
          unchanged,
        });
        if (failed !== undefined && disk) {
          disk.counts.unwritable++;
          disk.failure ??= failed;
        }
      }
    }
    return {
      diagnostics: sorted,
      routes: [...compiled.routes],
      files: rendered.paths.map((p) => ({ path: p })),
      outDir,
      written: written !== undefined,
      stats: {
        ...counts,
        loaded: cache.counts.loaded,
        fromCache: cache.counts.fromDisk,
        indexed: cache.counts.indexed,
        corrupt: disk?.counts.corrupt ?? 0,
        unwritable: disk?.counts.unwritable ?? 0,
        rendered: rendered.paths.length,
        written: written?.written ?? 0,
        unchanged: written?.unchanged ?? 0,
        milliseconds: performance.now() - started,
      },
      cacheFailure: disk?.counts.unwritable ? { dir: disk.dir, code: disk.failure } : undefined,
    };
  } catch (cause) {
    await writer?.abort();
    throw cause;
  } finally {
    await indexer?.close();
  }
}

/** What a build renders, and what it takes from the previous output instead. */
interface RenderPlan {
  readonly render: readonly Route[];
  readonly reused: readonly ReusedFile[];
  /** The fingerprinted files each reused page refers to, from the state. */
  readonly assetsOf: ReadonlyMap<string, readonly string[]>;
  /**
   * Each route's signature, for the next build's state. Without a state to compare with, they are computed while
   * the worker threads render (the main thread waits for them then), as each page comes back.
   */
  readonly signatures: Map<string, string>;
  /** The search index's shards, which to index and which to keep; undefined in a build without search. */
  readonly search: SearchPlan | undefined;
}

/** Splits the routes into those to render and those whose file in the previous output is already right. */
function planRender(
  compiled: CompiledSite,
  previous: PreviousOutput | undefined,
  state: BuildState | undefined,
  { search, record }: { search: boolean; record: boolean },
): RenderPlan {
  const render: Route[] = [];
  const reused: ReusedFile[] = [];
  const assetsOf = new Map<string, readonly string[]>();
  const signatures = new Map<string, string>();
  for (const route of compiled.routes) {
    const was = state?.routes.get(route.outputPath);
    const file = previous?.files.get(route.outputPath);
    // Signatures are worth computing here only to compare with a state.
    const signature = record && state ? compiled.signature(route) : '';
    if (signature) signatures.set(route.outputPath, signature);
    if (was && file && was.signature === signature && compiled.renderable) {
      reused.push({ path: route.outputPath, sha256: file.sha256, size: file.size });
      assetsOf.set(route.outputPath, was.assets);
    } else {
      render.push(route);
    }
  }
  return {
    render,
    reused,
    assetsOf,
    signatures,
    search: search ? planSearch(compiled.routes, signatures, state?.search, previous) : undefined,
  };
}

/** The instants around `now` where a release's status or warnings change: no embargo lifts and no date passes. */
function timeWindow(releases: readonly Release[], now: Date): { from: number | null; until: number | null } {
  let from: number | null = null;
  let until: number | null = null;
  for (const release of releases) {
    for (const at of [release.timestamp, release.embargo === undefined ? Number.NaN : Date.parse(release.embargo)]) {
      if (Number.isNaN(at)) continue;
      if (at <= now.getTime()) from = from === null ? at : Math.max(from, at);
      else until = until === null ? at : Math.min(until, at);
    }
  }
  return { from, until };
}

/** The options an untouched output must have been made with to be this build's too. */
function unchangedKey(options: BuildOptions, outDir: string): string {
  return createHash('sha256')
    .update(JSON.stringify([outDir, options.compress ?? false, options.search !== false]))
    .digest('hex');
}

/**
 * The previous build's check when the output in `outDir` is already what this build would write: same code and
 * options, same stamp of every source, and `now` where no embargo lifts. Then nothing is read, rendered or written.
 */
async function unchangedOutput(
  options: BuildOptions,
  outDir: string,
  stamp: string,
): Promise<UnchangedCheck | undefined> {
  if (options.cacheDir === undefined) return undefined;
  const manifest = await sha256OfFile(path.join(outDir, MANIFEST_PATH));
  if (manifest === undefined) return undefined;
  const state = await readState(statePath(options.cacheDir, outDir), stateContext(options, true), manifest);
  const check = state?.unchanged;
  const now = options.now.getTime();
  if (!check || check.key !== unchangedKey(options, outDir) || check.stamp !== stamp) return undefined;
  if ((check.from !== null && now < check.from) || (check.until !== null && now >= check.until)) return undefined;
  return check;
}

/** What a build's state depends on besides the sources: Newsroom's code and the options that change pages. */
function stateContext(options: BuildOptions, deploy: boolean): string {
  return createHash('sha256')
    .update(JSON.stringify([pipelineFingerprint(), deploy, options.includeDrafts, options.baseUrl ?? null]))
    .digest('hex');
}

/** The output a deploy build replaces, and the state of the build that made it when the cache has it. */
async function previousWithState(
  outDir: string,
  cacheDir: string | undefined,
  context: string,
): Promise<[PreviousOutput | undefined, BuildState | undefined]> {
  const previous = await previousOutput(outDir);
  if (!previous || cacheDir === undefined) return [previous, undefined];
  return [previous, await readState(statePath(cacheDir, outDir), context, previous.manifest)];
}

/** The output a deploy build replaces, as its manifest describes it; none when there is none or it is unreadable. */
async function previousOutput(dir: string): Promise<(PreviousOutput & { manifest: string }) | undefined> {
  try {
    const { manifest, text } = await readManifestFile(path.join(dir, MANIFEST_PATH));
    return {
      dir,
      manifest: sha256Of(text),
      files: new Map(manifest.files.map((f) => [f.path, { sha256: f.sha256, size: f.size, encoding: f.encoding }])),
    };
  } catch {
    return undefined;
  }
}

/** What {@link build} settles before the work. */
interface BuildRun {
  readonly outDir: string;
  readonly deploy: boolean;
  readonly profile: Profile;
  readonly progress: BuildProgress;
  readonly disk: DiskCache | undefined;
  readonly started: number;
  /** The sources' stamp, taken when the build started (deploy builds that write). */
  readonly stamp: string | undefined;
}
