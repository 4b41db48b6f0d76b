import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { toHtml } from 'hast-util-to-html';
import { visit } from 'unist-util-visit';
import type { SiteLinks } from '../site/links.js';

const URL_ATTRIBUTES = ['href', 'src', 'poster', 'cite'] as const;

/** HTML with absolute links, and the fingerprinted public/ files it refers to. */
export interface AbsoluteHtml {
  readonly html: string;
  readonly assets: readonly string[];
}

const cache = new WeakMap<object, { links: SiteLinks; result: AbsoluteHtml }>();

/**
 * A release's HTML with every site-relative link and image made absolute (and assets fingerprinted), for feeds
 * (read away from the site). Parsed with a real HTML parser; remembered per release object, so a feed rebuild
 * re-parses only changed releases.
 */
export function absoluteHtml(owner: object, html: string, links: SiteLinks): AbsoluteHtml {
  const known = cache.get(owner);
  if (known?.links === links) return known.result;
  const tree: Root = fromHtml(html, { fragment: true });
  const assets = new Set<string>();
  visit(tree, 'element', (node: Element) => {
    for (const name of URL_ATTRIBUTES) {
      const value = node.properties[name];
      if (typeof value !== 'string') continue;
      const asset = links.asset(value);
      if (asset) assets.add(asset);
      node.properties[name] = links.absolute(value);
    }
  });
  const result = { html: toHtml(tree), assets: [...assets] };
  cache.set(owner, { links, result });
  return result;
}
