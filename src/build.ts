import path from 'node:path';
import { discover, isInside } from './content/discover.js';
import { loadPage, type Page } from './content/page.js';
import { type LoadContext, loadRelease, type Release } from './content/release.js';
import { loadNavigation, loadSiteConfig } from './content/site-data.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from './diagnostics.js';
import { createMarkdownProcessor } from './markdown/processor.js';
import { OutputError, type OutputFile, writeSite } from './output/write-site.js';
import { createEnvironment } from './render/environment.js';
import { renderRoute } from './render/render-route.js';
import { findClashes } from './site/clashes.js';
import { checkNavigation } from './site/navigation.js';
import { buildRoutes, type Route } from './site/routes.js';

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
}

/** What a build did. */
export interface BuildResult {
  readonly diagnostics: Diagnostic[];
  readonly routes: Route[];
  readonly files: OutputFile[];
  readonly outDir: string;
  /** True when the output directory now holds this build. */
  readonly written: boolean;
}

/** Refuses output directories whose swap would replace the sources. */
function checkOutDir(root: string, out: string): void {
  const protectedDirs = ['content', 'templates', 'public', 'src'].map((d) => path.join(root, d));
  if (isInside(out, root) || protectedDirs.some((d) => isInside(d, out))) {
    throw new OutputError(`--out ${out} would overwrite the site's sources: choose a directory like dist/`, out);
  }
}

/** Runs the whole pipeline: discover -> front matter -> validate -> Markdown -> routes -> templates -> write. */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const found = await discover(options.root);
  const { sources } = found;
  const outDir = path.resolve(options.out ?? path.join(sources.root, 'dist'));
  checkOutDir(sources.root, outDir);
  const diagnostics: Diagnostic[] = [...found.diagnostics];

  const siteConfig = loadSiteConfig(sources.site, options.baseUrl);
  diagnostics.push(...siteConfig.diagnostics);
  const nav = loadNavigation(sources.navigation);
  diagnostics.push(...nav.diagnostics);
  const site = siteConfig.config;
  const language = site?.language ?? 'en';
  const assetPaths = sources.assets.map((a) => a.outputPath);

  const context: LoadContext = {
    defaultLanguage: language,
    renderMarkdown: createMarkdownProcessor(),
    assets: new Set(assetPaths),
  };
  const releases: Release[] = [];
  for (const source of sources.releases) {
    const loaded = loadRelease(source, context);
    diagnostics.push(...loaded.diagnostics);
    if (loaded.release) releases.push(loaded.release);
  }
  const pages: Page[] = [];
  for (const source of sources.pages) {
    const loaded = loadPage(source, context);
    diagnostics.push(...loaded.diagnostics);
    if (loaded.page) pages.push(loaded.page);
  }

  const routes = buildRoutes(releases, pages, nav.navigation, {
    now: options.now,
    includeDrafts: options.includeDrafts,
    language,
    siteTitle: site?.title ?? '',
  });
  diagnostics.push(...findClashes(routes, assetPaths));
  if (sources.navigation) diagnostics.push(...checkNavigation(nav.navigation, routes, sources.navigation.path));

  const files: OutputFile[] = [];
  if (site) {
    const env = createEnvironment(sources.templatesDir);
    const seen = new Set<string>();
    for (const route of routes) {
      const rendered = renderRoute(env, route, site, nav.navigation, sources.root);
      if (rendered.html !== undefined) files.push({ path: route.outputPath, contents: rendered.html });
      else if (rendered.diagnostic) {
        const key = JSON.stringify(rendered.diagnostic);
        if (!seen.has(key)) diagnostics.push(rendered.diagnostic);
        seen.add(key);
      }
    }
  }

  const sorted = sortDiagnostics(diagnostics);
  const ok = site !== undefined && !hasErrors(sorted);
  if (ok && options.write) await writeSite(outDir, files, sources.assets);
  return { diagnostics: sorted, routes, files, outDir, written: ok && options.write };
}
