import type { SiteLinks } from '../site/links.js';
import { rewriteUrlAttributes } from './rewrite-links.js';

/** HTML with absolute links, and the fingerprinted public/ files it refers to. */
export interface AbsoluteHtml {
  readonly html: string;
  readonly assets: readonly string[];
}

const cache = new WeakMap<object, { links: SiteLinks; result: AbsoluteHtml }>();

/**
 * A release's HTML with every site-relative link and image made absolute (and assets fingerprinted), for feeds
 * (read away from the site). Only real attributes change (htmlparser2's tokenizer finds them), the rest is kept
 * byte for byte; remembered per release object, so a feed rebuild rewrites only changed releases.
 */
export function absoluteHtml(owner: object, html: string, links: SiteLinks): AbsoluteHtml {
  const known = cache.get(owner);
  if (known?.links === links) return known.result;
  const assets = new Set<string>();
  const rewritten = rewriteUrlAttributes(html, (url) => {
    const asset = links.asset(url);
    if (asset) assets.add(asset);
    return links.absolute(url);
  });
  const result = { html: rewritten, assets: [...assets] };
  cache.set(owner, { links, result });
  return result;
}
