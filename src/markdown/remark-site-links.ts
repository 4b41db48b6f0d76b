import type { Link, Nodes, Root } from 'mdast';
import type { VFile } from 'vfile';

/** What a file tells the Markdown stage about languages. */
export interface LanguageData {
  /** The language the text is written in. */
  lang?: string | undefined;
  /** The site's languages, the default (no URL prefix) first. */
  languages?: readonly string[] | undefined;
  /** The site's absolute base URL without a trailing slash, for the printed form of site-relative links. */
  origin?: string | undefined;
}

/** The language of the page a site-relative URL leads to, from its prefix (`/fr/...`), or undefined if not one. */
export function languageOfUrl(url: string, languages: readonly string[]): string | undefined {
  if (!url.startsWith('/') || url.startsWith('//')) return undefined;
  const first = url.split(/[/?#]/)[1] ?? '';
  return languages.slice(1).includes(first) ? first : languages[0];
}

/**
 * Calls `each` on every link of the tree, in document order. A plain walk: unist-util-visit's `visit` makes an
 * array of ancestors for every node it enters, which cost more than this plugin's own work.
 */
function eachLink(node: Nodes, each: (link: Link) => void): void {
  if (node.type === 'link') each(node);
  if ('children' in node) {
    for (const child of node.children) eachLink(child, each);
  }
}

/**
 * Remark plugin for links to pages of the site: marks one in another language than the text with `hreflang`, so
 * readers (and screen readers) know it leads to, say, an English page from a French release; and gives each its
 * absolute URL as `data-url`, which the print stylesheet writes after the link (paper has no relative links).
 */
export function remarkSiteLinks() {
  return (tree: Root, file: VFile): void => {
    const { lang, languages = [], origin } = file.data as LanguageData;
    eachLink(tree, (node) => {
      if (!node.url.startsWith('/') || node.url.startsWith('//')) return;
      const target = languageOfUrl(node.url, languages);
      const properties: Record<string, string> = {};
      if (lang && languages.length > 1 && target && target !== lang) properties.hrefLang = target;
      if (origin) properties.dataUrl = `${origin}${node.url}`;
      node.data = { ...node.data, hProperties: { ...node.data?.hProperties, ...properties } };
    });
  };
}
