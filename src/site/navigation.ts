import type { LocatedNavEntry } from '../content/site-data.js';
import { type Diagnostic, error } from '../diagnostics.js';
import type { Route } from './routes.js';

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

/** Reports navigation entries whose internal URL is not a page of the site. */
export function checkNavigation(
  navigation: readonly LocatedNavEntry[],
  routes: readonly Route[],
  file: string,
): Diagnostic[] {
  const urls = new Set(routes.map((r) => r.url));
  return flatten(navigation)
    .filter((e) => e.url.startsWith('/') && !urls.has(e.url))
    .map((e) =>
      error(
        file,
        { line: e.line, column: e.column },
        'navigation/broken-link',
        `"${e.label}" links to ${e.url}, which is not a page of the site: create content/pages${e.url}index.md or fix the url`,
      ),
    );
}
