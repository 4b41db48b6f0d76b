import type { Link, Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';

/** What a file tells the Markdown stage about languages. */
export interface LanguageData {
  /** The language the text is written in. */
  lang?: string | undefined;
  /** The site's languages, the default (no URL prefix) first. */
  languages?: readonly string[] | undefined;
}

/** The language of the page a site-relative URL leads to, from its prefix (`/fr/...`), or undefined if not one. */
export function languageOfUrl(url: string, languages: readonly string[]): string | undefined {
  if (!url.startsWith('/') || url.startsWith('//')) return undefined;
  const first = url.split(/[/?#]/)[1] ?? '';
  return languages.slice(1).includes(first) ? first : languages[0];
}

/**
 * Remark plugin: marks a link to a page of the site in another language than the text with `hreflang`, so
 * readers (and screen readers) know it leads to, say, an English page from a French release.
 */
export function remarkLinkLanguage() {
  return (tree: Root, file: VFile): void => {
    const { lang, languages } = file.data as LanguageData;
    if (!lang || !languages || languages.length < 2) return;
    visit(tree, 'link', (node: Link) => {
      const target = languageOfUrl(node.url, languages);
      if (target && target !== lang) {
        node.data = { ...node.data, hProperties: { ...node.data?.hProperties, hrefLang: target } };
      }
    });
  };
}
