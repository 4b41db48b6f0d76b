import type { Paragraph, Root } from 'mdast';
import type { VFile } from 'vfile';

/** Data a file carries into the Markdown stage. */
export interface DatelineData {
  /** The dateline city as it should be printed, e.g. `BEIJING`. */
  dateline?: string | undefined;
}

/**
 * Remark plugin: starts the first paragraph with the release's dateline (`**BEIJING** – `), news-agency style.
 * The dateline comes from `file.data.dateline`, so one frozen processor serves every release.
 */
export function remarkDateline() {
  return (tree: Root, file: VFile): void => {
    const dateline = (file.data as DatelineData).dateline;
    if (!dateline) return;
    const first = tree.children.find((node): node is Paragraph => node.type === 'paragraph');
    const lead = [
      { type: 'strong' as const, children: [{ type: 'text' as const, value: dateline }] },
      { type: 'text' as const, value: ' – ' },
    ];
    if (first) first.children.unshift(...lead);
    else tree.children.unshift({ type: 'paragraph', children: lead });
  };
}
