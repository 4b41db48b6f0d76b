import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfmAutolinkLiteral } from 'micromark-extension-gfm-autolink-literal';
import { gfmFootnote } from 'micromark-extension-gfm-footnote';
import { gfmStrikethrough } from 'micromark-extension-gfm-strikethrough';
import { gfmTable } from 'micromark-extension-gfm-table';
import { gfmTaskListItem } from 'micromark-extension-gfm-task-list-item';
import { combineExtensions } from 'micromark-util-combine-extensions';
import type { Construct, Extension } from 'micromark-util-types';
import type { Processor } from 'unified';

/** The only constructs of GFM's autolink-literal syntax that need no `@`: `www.` and `http(s)://` literals. */
function withoutEmailLiterals(): Extension {
  const text = gfmAutolinkLiteral().text ?? {};
  const keep: Record<number, Construct[]> = {};
  for (const code of [72, 87, 104, 119]) {
    const constructs = ([] as (Construct | undefined)[]).concat(text[code]);
    keep[code] = constructs.filter((c): c is Construct => c !== undefined && c.name !== 'emailAutolink');
  }
  return { text: keep };
}

/**
 * Remark plugin: GitHub Flavored Markdown exactly as remark-gfm parses it (the same micromark and mdast
 * extensions), for documents that contain no `@`. GFM's tokenizer tries an e-mail autolink at the start of every
 * word, which costs about a third of all parsing; an e-mail address needs an `@`, so without one that construct
 * can never match and leaving it out changes nothing. Documents with an `@` go through remark-gfm itself.
 */
export function remarkGfmWithoutEmail(this: Processor): void {
  const data = this.data();
  const syntax = combineExtensions([
    withoutEmailLiterals(),
    gfmFootnote(),
    gfmStrikethrough(),
    gfmTable(),
    gfmTaskListItem(),
  ]);
  data.micromarkExtensions = [...(data.micromarkExtensions ?? []), syntax];
  data.fromMarkdownExtensions = [...(data.fromMarkdownExtensions ?? []), gfmFromMarkdown()];
}
