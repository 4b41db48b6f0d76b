import path from 'node:path';
import { type Diagnostic, error } from '../diagnostics.js';
import type { RenderMarkdown } from '../markdown/processor.js';
import { renderBody } from '../markdown/render-body.js';
import type { SourceFile } from './discover.js';
import type { Limits } from './limits.js';
import { phoneInfo } from './phone.js';
import { releaseSchema, SLUG } from './schema.js';
import { readFrontMatter } from './validate.js';

/** A contact block entry, with ready-made links. */
export interface Contact {
  readonly name: string;
  readonly office: string | undefined;
  readonly phone: string | undefined;
  /** RFC 3966 `tel:` URI of the phone number. */
  readonly tel: string | undefined;
  readonly email: string | undefined;
}

/** A press release after loading: validated front matter, rendered body, and its URL. */
export interface Release {
  readonly kind: 'release';
  readonly source: string;
  readonly slug: string;
  readonly url: string;
  readonly title: string;
  /** The date as written (YYYY-MM-DD or ISO date-time), for `<time datetime>`. */
  readonly date: string;
  /** The calendar day of `date`, YYYY-MM-DD, for display and archives. */
  readonly day: string;
  /** Milliseconds since the epoch, for sorting (date-only values count as midnight UTC). */
  readonly timestamp: number;
  readonly location: string | undefined;
  readonly country: string | undefined;
  readonly region: string | undefined;
  readonly themes: readonly string[];
  readonly summary: string | undefined;
  readonly contacts: readonly Contact[];
  readonly image: { src: string; alt: string; caption?: string | undefined; credit?: string | undefined } | undefined;
  readonly lang: string;
  readonly draft: boolean;
  /** ISO date-time after which the release may be published. */
  readonly embargo: string | undefined;
  readonly html: string;
  /**
   * Set when a large build left the rendered body in the persistent cache to save memory (`html` is then empty):
   * the key of its cache entry, which the renderer reads it from.
   */
  readonly htmlKey?: string | undefined;
  /** Links this release's versions in other languages: the same key on each. */
  readonly translationKey: string | undefined;
  /** When the release was last really edited (YYYY-MM-DD or date-time), `date` unless `updated` says otherwise. */
  readonly updated: string;
  /** Milliseconds since the epoch of `updated`. */
  readonly updatedTimestamp: number;
  /** Old URLs of this release on the site, each redirected to `url`: `/news/old-slug/`. */
  readonly aliases: readonly string[];
  /** Where `slug` (or the file name it defaults to) is, for URL clash reports. */
  readonly slugLine: number;
  /** Where fields other files are checked against are written, for reports on this file. */
  readonly lines: {
    readonly themes: readonly number[];
    readonly region: number;
    readonly country: number;
    readonly translationKey: number;
    readonly lang: number;
    readonly date: number;
    readonly aliases: readonly number[];
  };
}

/** What loading a release needs from the build. */
export interface LoadContext {
  readonly defaultLanguage: string;
  /** Every language the site publishes in. */
  readonly languages: readonly string[];
  /** The site's absolute base URL without a trailing slash. */
  readonly baseUrl: string;
  readonly renderMarkdown: RenderMarkdown;
  /** Output paths of the files in public/, to check that local images exist. */
  readonly assets: ReadonlySet<string>;
  /**
   * The size, nesting and time limits (part of the load settings, so a cached result is keyed on them). The time
   * limit is enforced by the thread that waits for the loading one (see `loadWithin`), not by the loader.
   */
  readonly limits: Pick<Limits, 'fileSize' | 'frontMatter' | 'nesting' | 'markdownSeconds'>;
}

/** An alias as a URL: a path with no file extension gets a trailing slash (`/news/old` -> `/news/old/`). */
export function aliasUrl(alias: string): string {
  const last = alias.slice(alias.lastIndexOf('/') + 1);
  return last === '' || last.includes('.') ? alias : `${alias}/`;
}

/** The public/ file a site-relative URL names: `/images/a%20b.jpg?x` -> `images/a b.jpg`. */
export function publicPath(src: string): string {
  const rest = src.slice(1);
  const cut = rest.search(/[?#]/);
  const pathname = cut === -1 ? rest : rest.slice(0, cut);
  // Called for every link of every page: most have nothing to decode.
  if (!pathname.includes('%')) return pathname;
  try {
    return decodeURI(pathname);
  } catch {
    return pathname;
  }
}

/** The part of a URL that says its language: none for the default, `/fr` for French. */
export function languagePrefix(lang: string, defaultLanguage: string): string {
  return lang === defaultLanguage ? '' : `/${lang}`;
}

/** The milliseconds since the epoch of a YYYY-MM-DD (midnight UTC) or ISO date-time. */
export function timestampOf(date: string): number {
  return Date.parse(date.length === 10 ? `${date}T00:00:00Z` : date);
}

/** Upper-cases a dateline by the rules of the release's language (Turkish dotted İ ...), whatever the tag. */
function upperCase(text: string, lang: string): string {
  try {
    return text.toLocaleUpperCase(lang);
  } catch {
    return text.toUpperCase();
  }
}

/** Loads one press release: front matter, validation, Markdown. Independent of every other file. */
export function loadRelease(
  source: SourceFile,
  context: LoadContext,
): { release: Release | undefined; diagnostics: Diagnostic[] } {
  const { split, meta, diagnostics } = readFrontMatter(source, releaseSchema, context.limits);
  if (!split || !meta) return { release: undefined, diagnostics };

  const fileSlug = path.posix.basename(source.path, '.md');
  const slug = meta.slug ?? fileSlug;
  const slugAt = split.data.locate(meta.slug === undefined ? [] : ['slug']);
  if (!SLUG.test(slug)) {
    diagnostics.push(
      error(
        source.path,
        slugAt,
        'front-matter/slug',
        `the file name "${fileSlug}" is not a valid slug: rename the file or add \`slug:\` with lowercase letters, digits and hyphens`,
      ),
    );
    return { release: undefined, diagnostics };
  }
  const imageSrc = meta.image?.src;
  if (imageSrc?.startsWith('/') && !context.assets.has(publicPath(imageSrc))) {
    diagnostics.push(
      error(
        source.path,
        split.data.locate(['image', 'src']),
        'front-matter/image',
        `image ${imageSrc} is not in public/: add the file or fix the path`,
      ),
    );
  }
  if (meta.updated !== undefined && timestampOf(meta.updated) < timestampOf(meta.date)) {
    diagnostics.push(
      error(
        source.path,
        split.data.locate(['updated']),
        'front-matter/updated',
        `updated (${meta.updated}) is before date (${meta.date}): a release is edited after it is dated; fix one of them`,
      ),
    );
    return { release: undefined, diagnostics };
  }
  const lang = meta.lang ?? context.defaultLanguage;
  if (!context.languages.includes(lang)) {
    diagnostics.push(
      error(
        source.path,
        split.data.locate(['lang']),
        'front-matter/lang',
        `lang ${lang} is not one of the site's languages (${context.languages.join(', ')}): fix it or add it to languages in site.yaml`,
      ),
    );
    return { release: undefined, diagnostics };
  }
  const rendered = renderBody(source.path, split.bodyLine, split.body, context.limits.nesting, () =>
    context.renderMarkdown(split.body, {
      dateline: meta.location && upperCase(meta.location, lang),
      lang,
      languages: context.languages,
      origin: context.baseUrl,
    }),
  );
  diagnostics.push(...rendered.diagnostics);
  if (rendered.html === undefined) return { release: undefined, diagnostics };

  const release: Release = {
    kind: 'release',
    source: source.path,
    slug,
    url: `${languagePrefix(lang, context.defaultLanguage)}/news/${slug}/`,
    title: meta.title,
    date: meta.date,
    day: meta.date.slice(0, 10),
    timestamp: timestampOf(meta.date),
    location: meta.location,
    country: meta.country,
    region: meta.region,
    themes: meta.themes ?? [],
    summary: meta.summary,
    contacts: (meta.contacts ?? []).map((c) => ({
      name: c.name,
      office: c.office,
      phone: c.phone,
      tel: c.phone ? phoneInfo(c.phone).tel : undefined,
      email: c.email,
    })),
    image: meta.image,
    lang,
    draft: meta.draft ?? false,
    embargo: meta.embargo,
    html: rendered.html,
    translationKey: meta.translationKey,
    updated: meta.updated ?? meta.date,
    updatedTimestamp: timestampOf(meta.updated ?? meta.date),
    aliases: (meta.aliases ?? []).map(aliasUrl),
    slugLine: slugAt.line,
    lines: {
      themes: (meta.themes ?? []).map((_, i) => split.data.locate(['themes', i]).line),
      region: split.data.locate(['region']).line,
      country: split.data.locate(['country']).line,
      translationKey: split.data.locate(['translationKey']).line,
      lang: split.data.locate(['lang']).line,
      date: split.data.locate(['date']).line,
      aliases: (meta.aliases ?? []).map((_, i) => split.data.locate(['aliases', i]).line),
    },
  };
  return { release, diagnostics };
}
