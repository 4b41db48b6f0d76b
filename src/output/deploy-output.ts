import type { SiteConfig } from '../content/site-data.js';
import { MANIFEST_PATH, manifestChunks, sha256Of } from '../publish/manifest.js';
import type { SiteLinks } from '../site/links.js';
import type { Route } from '../site/routes.js';
import { deployManifest, manifestEntries, type OutputDescription } from './deploy-manifest.js';
import { headersFile } from './headers-file.js';
import type { AssetPlan } from './plan-assets.js';
import { redirectsFile } from './redirects-file.js';
import type { CopiedFile, OutputFile, SealedFile, WrittenFile } from './write-site.js';

/** What a deploy build has to write, besides the search index. */
export interface DeployInput {
  readonly routes: readonly Route[];
  readonly plan: AssetPlan | undefined;
  readonly links: SiteLinks;
  readonly site: SiteConfig;
  /** The public/ files the pages and feeds refer to. */
  readonly referenced: ReadonlySet<string>;
  readonly now: Date;
  readonly nextBuildAt: string | null;
  /** A `--drafts` preview build. */
  readonly drafts: boolean;
}

/** The files of a deploy build besides its pages and feeds, and how to finish it, for {@link openOutput}. */
export interface DeployOutput {
  readonly files: readonly OutputFile[];
  readonly copies: readonly CopiedFile[];
  /** The Brotli quality for a path's `.br` copy. */
  brotliQuality(path: string): number;
  /** `_headers` and the manifest, made from everything written. */
  seal(written: readonly WrittenFile[]): SealedFile[];
}

/** The content files an output was made from, for the manifest. */
function sourcesOf(route: Route): readonly string[] {
  return route.kind === 'feed' ? route.items.map((r) => r.source) : route.sources;
}

/** The kind of a route's file: what its cache lifetime and its place in the upload order are. */
function kindOf(route: Route): OutputDescription['kind'] {
  if (route.kind === 'feed' || route.kind === 'sitemap') return 'feed';
  return route.kind === 'redirect' || route.outputPath.endsWith('.html') ? 'page' : 'file';
}

/**
 * Everything a deploy build writes besides the search index and the rendered pages and feeds: `_redirects`, and the
 * public/ files under their fingerprinted names when something refers to them (their own names otherwise); then,
 * once all is written, `_headers` and the manifest describing every file.
 */
export function deployOutput(input: DeployInput): DeployOutput {
  const { links, site, plan } = input;
  const described = new Map<string, OutputDescription>();
  for (const route of input.routes) {
    described.set(route.outputPath, {
      kind: kindOf(route),
      sources: sourcesOf(route),
      // An alias may be an old `.aspx` address: its page is HTML whatever its name says.
      ...(route.kind === 'redirect' ? { type: 'text/html; charset=utf-8' } : {}),
    });
  }
  const moves = input.routes.flatMap((r) => (r.kind === 'redirect' ? [{ from: r.url, to: r.target }] : []));
  described.set('_redirects', { kind: 'file', sources: [] });
  described.set('_headers', { kind: 'file', sources: [] });
  const files: OutputFile[] = [{ path: '_redirects', contents: redirectsFile(moves, site.languages, links) }];
  const copies: CopiedFile[] = [];
  const used = new Set([...input.referenced, ...(plan?.referencedByStyles ?? [])]);
  for (const asset of plan?.assets ?? []) {
    const hashed = asset.hashedPath !== undefined && used.has(asset.outputPath);
    const outputPath = hashed && asset.hashedPath ? asset.hashedPath : asset.outputPath;
    described.set(outputPath, { kind: hashed ? 'fingerprinted' : 'file', sources: [asset.source] });
    if (asset.contents) files.push({ path: outputPath, contents: asset.contents });
    else copies.push({ outputPath, absolutePath: asset.from, sha256: asset.sha256, size: asset.size });
  }
  return {
    files,
    copies,
    // Pages and feeds change with every release and are many: a fast Brotli level (about 15% larger than the
    // best, 40 times faster). Styles, scripts and the search index change rarely: the best.
    brotliQuality: (path) => (['page', 'feed'].includes(described.get(path)?.kind ?? '') ? 5 : 11),
    seal: (written) => {
      const entries = manifestEntries(written, described, site.cacheControl);
      // Netlify and Cloudflare read _redirects and _headers; they never serve them.
      const headers = headersFile(
        entries.filter((e) => e.path !== '_redirects'),
        links.basePath,
      );
      const own = manifestEntries(
        [{ path: '_headers', sha256: sha256Of(headers), size: Buffer.byteLength(headers) }],
        described,
        site.cacheControl,
      );
      const manifest = deployManifest([...entries, ...own], links.baseUrl, input.now, input.nextBuildAt, input.drafts);
      return [
        { path: '_headers', contents: headers },
        { path: MANIFEST_PATH, contents: manifestChunks(manifest) },
      ];
    },
  };
}
