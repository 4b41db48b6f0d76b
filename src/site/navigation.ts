import type { LocatedNavEntry } from '../content/site-data.js';

/** A navigation entry as templates see it for one page. */
export interface NavView {
  readonly label: string;
  readonly url: string;
  /** `page` on the entry for this very page, `true` on the section that contains it (for `aria-current`). */
  readonly current: 'page' | 'true' | undefined;
  readonly children: readonly NavView[];
}

const contains = (section: string, url: string): boolean =>
  section !== '/' && section.startsWith('/') && url.startsWith(section);

/** Marks the entries of the navigation tree that lead to `url`. */
export function markCurrent(entries: readonly LocatedNavEntry[], url: string): NavView[] {
  return entries.map((entry) => {
    const children = markCurrent(entry.children, url);
    const current =
      entry.url === url ? 'page' : contains(entry.url, url) || children.some((c) => c.current) ? 'true' : undefined;
    return { label: entry.label, url: entry.url, current, children };
  });
}

/** Every entry of the tree, depth first. */
export function flatten(entries: readonly LocatedNavEntry[]): LocatedNavEntry[] {
  return entries.flatMap((e) => [e, ...flatten(e.children)]);
}
