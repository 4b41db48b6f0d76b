import { defaultSchema } from 'hast-util-sanitize';
import { remark } from 'remark';
import remarkGfm from 'remark-gfm';
import remarkHtml from 'remark-html';
import { VFile } from 'vfile';
import { type DatelineData, remarkDateline } from './remark-dateline.js';
import { remarkGfmWithoutEmail } from './remark-gfm-lean.js';
import { type LanguageData, remarkSiteLinks } from './remark-site-links.js';

/** Turns one Markdown body into sanitized HTML. */
export type RenderMarkdown = (markdown: string, data?: DatelineData & LanguageData) => string;

/**
 * Creates the Markdown processor once per build: remark with GFM (tables, strikethrough, autolinks) and
 * remark-html with its default sanitizer, so raw HTML, scripts, event handlers and `javascript:` URLs never
 * reach a page.
 */
export function createMarkdownProcessor(): RenderMarkdown {
  // GitHub's sanitizing schema, except that ids are not prefixed a second time: mdast-util-to-hast already prefixes
  // footnote ids with `user-content-`, and prefixing again breaks footnote links (hast-util-sanitize #29).
  // Raw HTML is dropped, so no id an editor writes reaches the page unprefixed.
  // Links to the site's pages may also say their target's language and absolute URL (set by remarkSiteLinks).
  const schema = {
    ...defaultSchema,
    clobberPrefix: '',
    attributes: { ...defaultSchema.attributes, a: [...(defaultSchema.attributes?.a ?? []), 'hrefLang', 'dataUrl'] },
  };
  const withGfm = (gfm: typeof remarkGfm | typeof remarkGfmWithoutEmail) =>
    remark().use(gfm).use(remarkDateline).use(remarkSiteLinks).use(remarkHtml, { sanitize: schema }).freeze();
  const processor = withGfm(remarkGfm);
  // The same, but for a document with no `@`, which cannot hold an e-mail autolink (see remarkGfmWithoutEmail).
  const lean = withGfm(remarkGfmWithoutEmail);
  return (markdown, data = {}) => {
    const file = new VFile({ value: markdown, data: { ...data } });
    return String((markdown.includes('@') ? processor : lean).processSync(file));
  };
}
