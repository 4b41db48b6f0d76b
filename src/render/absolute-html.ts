import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { toHtml } from 'hast-util-to-html';
import { visit } from 'unist-util-visit';
import { absoluteUrl } from '../site/urls.js';

const URL_ATTRIBUTES = ['href', 'src', 'poster', 'cite'] as const;

const cache = new WeakMap<object, { baseUrl: string; html: string }>();

/**
 * A release's HTML with every site-relative link and image made absolute, for feeds (read away from the site).
 * Parsed with a real HTML parser; remembered per release object, so a feed rebuild re-parses only changed releases.
 */
export function absoluteHtml(owner: object, html: string, baseUrl: string): string {
  const known = cache.get(owner);
  if (known?.baseUrl === baseUrl) return known.html;
  const tree: Root = fromHtml(html, { fragment: true });
  visit(tree, 'element', (node: Element) => {
    for (const name of URL_ATTRIBUTES) {
      const value = node.properties[name];
      if (typeof value === 'string') node.properties[name] = absoluteUrl(baseUrl, value);
    }
  });
  const result = toHtml(tree);
  cache.set(owner, { baseUrl, html: result });
  return result;
}
