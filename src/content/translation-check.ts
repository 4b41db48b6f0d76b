import { type Diagnostic, error, warning } from '../diagnostics.js';
import type { Page } from './page.js';
import type { Release } from './release.js';

/**
 * Checks how language versions are linked: a translation key may join one release (or page) per language, and a
 * translation whose source (the default-language version) was updated after it is reported as stale.
 */
export function checkTranslations(
  releases: readonly Release[],
  pages: readonly Page[],
  defaultLanguage: string,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const groups = new Map<string, Release[]>();
  const bySource = (a: { source: string }, b: { source: string }) =>
    a.source < b.source ? -1 : a.source > b.source ? 1 : 0;
  for (const release of [...releases].sort(bySource)) {
    if (!release.translationKey) continue;
    const group = groups.get(release.translationKey) ?? [];
    const twin = group.find((r) => r.lang === release.lang);
    if (twin) {
      diagnostics.push(
        error(
          release.source,
          { line: release.lines.translationKey, column: 1 },
          'translations/duplicate-key',
          `translationKey ${release.translationKey} already joins ${twin.source}, also in ${release.lang}: one release per language may share a key; give this one its own`,
        ),
      );
      continue;
    }
    group.push(release);
    groups.set(release.translationKey, group);
  }
  for (const group of groups.values()) {
    const source = group.find((r) => r.lang === defaultLanguage);
    if (!source) continue;
    for (const version of group) {
      if (version === source || version.updatedTimestamp >= source.updatedTimestamp) continue;
      diagnostics.push(
        warning(
          version.source,
          { line: version.lines.translationKey, column: 1 },
          'translations/stale',
          `this translation is older than its source: ${source.source} was updated ${source.updated}, this one ${version.updated}; translate the changes, then set \`updated:\` to ${source.updated} or later`,
        ),
      );
    }
  }
  const pageKeys = new Map<string, Page>();
  for (const page of [...pages].sort(bySource)) {
    if (!page.translationKey) continue;
    const key = `${page.translationKey}\0${page.lang}`;
    const twin = pageKeys.get(key);
    if (twin) {
      diagnostics.push(
        error(
          page.source,
          { line: 1, column: 1 },
          'translations/duplicate-key',
          `translationKey ${page.translationKey} already joins ${twin.source}, also in ${page.lang}: give this page its own key`,
        ),
      );
    } else pageKeys.set(key, page);
  }
  return diagnostics;
}
