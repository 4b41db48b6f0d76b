import { remark } from 'remark';
import remarkGfm from 'remark-gfm';
import remarkHtml from 'remark-html';
import { VFile } from 'vfile';
import { type DatelineData, remarkDateline } from './remark-dateline.js';

/** Turns one Markdown body into sanitized HTML. */
export type RenderMarkdown = (markdown: string, data?: DatelineData) => string;

/**
 * Creates the Markdown processor once per build: remark with GFM (tables, strikethrough, autolinks) and
 * remark-html with its default sanitizer, so raw HTML, scripts, event handlers and `javascript:` URLs never
 * reach a page.
 */
export function createMarkdownProcessor(): RenderMarkdown {
  const processor = remark().use(remarkGfm).use(remarkDateline).use(remarkHtml, { sanitize: true }).freeze();
  return (markdown, data = {}) => {
    const file = new VFile({ value: markdown, data: { ...data } });
    return String(processor.processSync(file));
  };
}
