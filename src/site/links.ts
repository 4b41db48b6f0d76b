import { publicPath } from '../content/release.js';
import { absoluteUrl } from './urls.js';

/**
 * How site URLs are written in the output: with the base URL's path prefix (a site served under
 * `https://example.org/newsroom/`) and with fingerprinted names for assets (`/css/site.css` ->
 * `/newsroom/css/site.3f9a1c2b.css`). Routes keep site-relative URLs; only what is written changes.
 */
export interface SiteLinks {
  /** The path prefix without a trailing slash: `''` or `/newsroom`. */
  readonly basePath: string;
  /** The absolute base URL without a trailing slash: `https://example.org/newsroom`. */
  readonly baseUrl: string;
  /** Output paths of public/ files (`css/site.css`) to their fingerprinted output paths. */
  readonly assetNames: ReadonlyMap<string, string>;
  /** The public/ output path a site-relative URL names, when it is a fingerprinted asset. */
  asset(url: string): string | undefined;
  /** A site-relative URL as written in a page: prefixed, and fingerprinted when it names an asset. */
  href(url: string): string;
  /** A site-relative URL made absolute (feeds, sitemaps, metadata), fingerprinted when it names an asset. */
  absolute(url: string): string;
  /** True when nothing is rewritten (no prefix, no fingerprints): pages need no link pass. */
  readonly identity: boolean;
}

/** Splits `/a/b?x#y` into the path and the rest. */
function splitUrl(url: string): [string, string] {
  const cut = url.search(/[?#]/);
  return cut === -1 ? [url, ''] : [url.slice(0, cut), url.slice(cut)];
}

/** The path prefix of a base URL: `https://example.org/newsroom/` -> `/newsroom`. */
export function basePathOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

/**
 * The links of a build. `basePath` is the prefix pages are served under (`''` for the dev server, which serves the
 * site at its root); `assetNames` maps public/ files to fingerprinted names (empty: original names).
 */
export function siteLinks(baseUrl: string, basePath: string, assetNames: ReadonlyMap<string, string>): SiteLinks {
  const asset = (url: string): string | undefined => {
    if (assetNames.size === 0 || !url.startsWith('/') || url.startsWith('//')) return undefined;
    const file = publicPath(url);
    return assetNames.has(file) ? file : undefined;
  };
  const rename = (url: string): string => {
    const file = asset(url);
    if (file === undefined) return url;
    const [, rest] = splitUrl(url);
    return `/${encodeURI(assetNames.get(file) ?? file)}${rest}`;
  };
  const isSitePath = (url: string) => url.startsWith('/') && !url.startsWith('//');
  return {
    basePath,
    baseUrl,
    assetNames,
    asset,
    href: (url) => (isSitePath(url) ? `${basePath}${rename(url)}` : url),
    absolute: (url) => absoluteUrl(baseUrl, rename(url)),
    identity: basePath === '' && assetNames.size === 0,
  };
}

/** `links.absolute` that also notes the fingerprinted files it names, for one rendered file. */
export function recordingLinks(links: SiteLinks): { absolute: (url: string) => string; assets: Set<string> } {
  const assets = new Set<string>();
  return {
    assets,
    absolute: (url) => {
      const asset = links.asset(url);
      if (asset) assets.add(asset);
      return links.absolute(url);
    },
  };
}
