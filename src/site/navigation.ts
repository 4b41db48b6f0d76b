import type { Page } from '../content/page.js';
import { languagePrefix } from '../content/release.js';
import type { LocatedNavEntry } from '../content/site-data.js';
import type { Translations } from '../content/translations.js';
import { type Diagnostic, error } from '../diagnostics.js';
import type { Route } from './routes.js';

/** A navigation entry in one language: its label and its target's version in that language where there is one. */
export interface LocalNavEntry {
  readonly label: string;
  /** The label's language when it is not the page's own (no translation yet). */
  readonly lang: string | undefined;
  readonly url: string;
  /** The target's language when it is not the page's own (no version in this language yet). */
  readonly hreflang: string | undefined;
  readonly children: readonly LocalNavEntry[];
}

/** Whether `url` is a page the generator makes in every language (`/news/`, `/themes/` ...). */
function isGenerated(url: string): boolean {
  return /^\/(?:news|themes|regions|countries|search)\/(?:archive\/)?$/.test(url);
}

/**
 * The navigation in `lang`: labels from the translations file, and each target replaced by its version in `lang`
 * (the page with the same translation key, or the generated page under the language's prefix). An entry with no
 * version in `lang` keeps its default-language label and target, marked with that language.
 */
export function localNavigation(
  entries: readonly LocatedNavEntry[],
  pages: readonly Page[],
  translations: Translations,
  lang: string,
): LocalNavEntry[] {
  const byUrl = new Map(pages.map((p) => [p.url, p]));
  const versions = new Map(pages.filter((p) => p.translationKey).map((p) => [`${p.translationKey}\0${p.lang}`, p]));
  const localize = (entry: LocatedNavEntry): LocalNavEntry => {
    const children = entry.children.map(localize);
    const label = translations.navLabel(lang, entry.url, entry.label);
    const same = { ...label, url: entry.url, hreflang: undefined, children };
    if (lang === translations.defaultLanguage || !entry.url.startsWith('/')) return same;
    const page = byUrl.get(entry.url);
    const version = page?.translationKey ? versions.get(`${page.translationKey}\0${lang}`) : undefined;
    if (version) return { ...same, url: version.url };
    if (isGenerated(entry.url))
      return { ...same, url: `${languagePrefix(lang, translations.defaultLanguage)}${entry.url}` };
    return { ...same, hreflang: page?.lang ?? translations.defaultLanguage };
  };
  return entries.map(localize);
}

/** A navigation entry as templates see it for one page. */
export interface NavView {
  readonly label: string;
  /** Set when the label is in another language than the page. */
  readonly lang: string | undefined;
  /** Set when the target is in another language than the page. */
  readonly hreflang: string | undefined;
  readonly url: string;
  /** `page` on the entry for this very page, `true` on the section that contains it (for `aria-current`). */
  readonly current: 'page' | 'true' | undefined;
  readonly children: readonly NavView[];
}

const contains = (section: string, url: string): boolean =>
  section !== '/' && section.startsWith('/') && url.startsWith(section);

/** Marks the entries of the navigation tree that lead to `url`. */
export function markCurrent(entries: readonly LocalNavEntry[], url: string): NavView[] {
  return entries.map((entry) => {
    const children = markCurrent(entry.children, url);
    const current =
      entry.url === url ? 'page' : contains(entry.url, url) || children.some((c) => c.current) ? 'true' : undefined;
    return { label: entry.label, lang: entry.lang, hreflang: entry.hreflang, url: entry.url, current, children };
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
