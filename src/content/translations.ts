import { z } from 'zod';
import { type Diagnostic, error, type Position, START } from '../diagnostics.js';
import type { SourceFile } from './discover.js';
import { DEFAULT_LIMITS } from './limits.js';
import { LANG, text } from './schema.js';
import { loadYaml } from './site-data.js';

/** The path of the translations data file, relative to the site root. */
export const TRANSLATIONS_FILE = 'content/_data/translations.yaml';

/** The kinds of archive term a release is filed under. */
export type TermKind = 'themes' | 'regions' | 'countries';

/**
 * The interface strings the generator itself needs (page titles, breadcrumbs, feed titles). Templates may use any
 * other key; an unknown one is a template error naming the key.
 */
export const REQUIRED_STRINGS = [
  'home',
  'news',
  'newsDescription',
  'pageOf',
  'themes',
  'themesDescription',
  'regions',
  'regionsDescription',
  'countries',
  'countriesDescription',
  'years',
  'yearsDescription',
  'yearTitle',
  'termDescription',
  'search',
  'searchDescription',
  'notFound',
  'organisationName',
  'feedTitle',
] as const;

const perLanguage = z.record(z.string().regex(LANG, { error: 'keys must be language codes like fr' }), text('text'));
const labels = z.record(z.string(), perLanguage).optional();

const translationsSchema = z.object({
  languages: z.record(
    z.string().regex(LANG, { error: 'keys must be language codes like fr' }),
    z.object({
      name: text('name (the language in its own words, e.g. Français)'),
      locale: z.string().regex(LANG, { error: 'locale must be a tag like fr-FR' }).optional(),
    }),
  ),
  strings: z.record(z.string(), perLanguage),
  navigation: labels,
  terms: z.object({ themes: labels, regions: labels, countries: labels }).optional(),
});

type TranslationsData = z.output<typeof translationsSchema>;

/** A label shown on a page, with the language it is really in when that is not the page's own. */
export interface Label {
  readonly label: string;
  /** Set when the label fell back to another language, so templates can mark it with `lang`. */
  readonly lang: string | undefined;
}

/** A `t()` call naming a string the translations file does not have. */
export class MissingStringError extends Error {
  override name = 'MissingStringError';
}

/**
 * The site's interface strings in each of its languages, from content/_data/translations.yaml: navigation labels,
 * archive term labels, dates and every fixed text of the templates.
 */
export class Translations {
  readonly #data: TranslationsData;
  /** Every language the site publishes in, the default first. */
  readonly languages: readonly string[];
  readonly defaultLanguage: string;

  /** Stands in when translations.yaml is broken, so routing can go on to find other problems: keys as text. */
  static fallback(languages: readonly string[]): Translations {
    return new Translations({ languages: {}, strings: {} }, languages, true);
  }

  readonly #lenient: boolean;
  /** Where a key of the file is written, for reports. */
  readonly locate: (path: readonly PropertyKey[]) => Position;

  constructor(
    data: TranslationsData,
    languages: readonly string[],
    lenient = false,
    locate: (path: readonly PropertyKey[]) => Position = () => START,
  ) {
    this.#data = data;
    this.#lenient = lenient;
    this.locate = locate;
    this.languages = languages;
    this.defaultLanguage = languages[0] ?? 'en';
  }

  /** The language's name in its own words (`Français`). */
  name(lang: string): string {
    return this.#data.languages[lang]?.name ?? lang;
  }

  /** The locale dates and numbers are formatted in (`fr-FR`). */
  locale(lang: string): string {
    return this.#data.languages[lang]?.locale ?? lang;
  }

  /** The string `key` in `lang`, with `{name}` placeholders filled from `params`. */
  t(lang: string, key: string, params: Readonly<Record<string, unknown>> = {}): string {
    const entry = this.#data.strings[key];
    const value = entry?.[lang] ?? entry?.[this.defaultLanguage];
    if (value === undefined) {
      if (this.#lenient) return key;
      throw new MissingStringError(
        `the interface string "${key}" is not in ${TRANSLATIONS_FILE}: add it under strings with a text per language`,
      );
    }
    return value.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  }

  /** A navigation entry's label in `lang` (navigation.yaml holds the default language's). */
  navLabel(lang: string, url: string, label: string): Label {
    if (lang === this.defaultLanguage) return { label, lang: undefined };
    const translated = this.#data.navigation?.[url]?.[lang];
    return translated ? { label: translated, lang: undefined } : { label, lang: this.defaultLanguage };
  }

  /** An archive term's label in `lang` (front matter names terms in the default language). */
  term(lang: string, kind: TermKind, label: string): Label {
    if (lang === this.defaultLanguage) return { label, lang: undefined };
    const translated = this.#data.terms?.[kind]?.[label]?.[lang];
    return translated ? { label: translated, lang: undefined } : { label, lang: this.defaultLanguage };
  }
}

/** Reads translations.yaml and checks it covers every language of the site and every string the generator needs. */
export function loadTranslations(
  source: SourceFile | undefined,
  languages: readonly string[],
  fileSize: number = DEFAULT_LIMITS.fileSize,
): { translations: Translations | undefined; diagnostics: Diagnostic[] } {
  if (!source) {
    return {
      translations: undefined,
      diagnostics: [
        error(
          TRANSLATIONS_FILE,
          START,
          'translations/missing',
          'translations.yaml is missing: create it with languages and strings (copy the one from the sample site)',
        ),
      ],
    };
  }
  const { value, data, diagnostics } = loadYaml(source, translationsSchema, 'translations', fileSize);
  if (!value || !data) return { translations: undefined, diagnostics };
  const problems: Diagnostic[] = [];
  for (const lang of languages) {
    if (!value.languages[lang]) {
      problems.push(
        error(
          source.path,
          data.locate(['languages']),
          'translations/language',
          `site.yaml publishes in "${lang}" but languages has no ${lang}: add \`${lang}: { name: ..., locale: ... }\``,
        ),
      );
    }
  }
  for (const key of REQUIRED_STRINGS) {
    if (!value.strings[key]) {
      problems.push(
        error(
          source.path,
          data.locate(['strings']),
          'translations/required',
          `strings has no "${key}", which the generator needs: add it with a text per language`,
        ),
      );
    }
  }
  for (const [key, entry] of Object.entries(value.strings)) {
    const missing = languages.filter((lang) => entry[lang] === undefined);
    if (missing.length > 0) {
      problems.push(
        error(
          source.path,
          data.locate(['strings', key]),
          'translations/missing-text',
          `"${key}" has no text in ${missing.join(', ')}: add \`${missing[0]}: ...\``,
        ),
      );
    }
  }
  diagnostics.push(...problems);
  return {
    translations: problems.length ? undefined : new Translations(value, languages, false, (path) => data.locate(path)),
    diagnostics,
  };
}
