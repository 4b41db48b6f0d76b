import { compareText } from '../compare.js';
import { type Diagnostic, error, warning } from '../diagnostics.js';
import type { Page } from './page.js';
import type { Release } from './release.js';
import { type TermKind, TRANSLATIONS_FILE, type Translations } from './translations.js';

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
  const bySource = (a: { source: string }, b: { source: string }) => compareText(a.source, b.source);
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
          { line: page.translationKeyLine, column: 1 },
          'translations/duplicate-key',
          `translationKey ${page.translationKey} already joins ${twin.source}, also in ${page.lang}: give this page its own key`,
        ),
      );
    } else pageKeys.set(key, page);
  }
  return diagnostics;
}

/**
 * Warns about archive terms shown on pages of a language that translations.yaml has no label for in it: those
 * pages show the term in the default language (marked with `lang`), which is correct but probably not wanted.
 */
export function checkTermLabels(releases: readonly Release[], translations: Translations): Diagnostic[] {
  const missing = new Map<string, { kind: TermKind; label: string; lang: string; count: number }>();
  for (const release of releases) {
    if (release.lang === translations.defaultLanguage) continue;
    const terms: [TermKind, string | undefined][] = [
      ...release.themes.map((theme): [TermKind, string] => ['themes', theme]),
      ['regions', release.region],
      ['countries', release.country],
    ];
    for (const [kind, label] of terms) {
      if (label === undefined || translations.term(release.lang, kind, label).lang === undefined) continue;
      const key = `${kind}\0${label}\0${release.lang}`;
      const known = missing.get(key);
      if (known) known.count++;
      else missing.set(key, { kind, label, lang: release.lang, count: 1 });
    }
  }
  const at = translations.locate(['terms']);
  return [...missing.values()].map(({ kind, label, lang, count }) =>
    warning(
      TRANSLATIONS_FILE,
      at,
      'translations/term',
      `${kind} has no ${lang} label for "${label}", used by ${count} ${lang} release${count === 1 ? '' : 's'}: add \`${label}: { ${lang}: ... }\` under terms.${kind}`,
    ),
  );
}
