import { z } from 'zod';
import { type Diagnostic, error, START } from '../diagnostics.js';
import type { SourceFile } from './discover.js';
import { parseYaml } from './front-matter.js';
import { byteSize, DEFAULT_LIMITS, fileSizeError, type Limits, parseSize } from './limits.js';
import { LANG, linkTarget, text } from './schema.js';
import { validate } from './validate.js';

/** An HTTP header value: printable ASCII on one line (it is written into `_headers`). */
const headerValue = (what: string) =>
  text(what).regex(/^[\x20-\x7e]+$/, { error: `${what} must be one line of plain ASCII, like public, max-age=300` });

/** Cache-Control for each kind of output file. */
export interface CachePolicy {
  /** Files with a content hash in their names: never change, so cached for a year. */
  readonly fingerprinted: string;
  /** HTML, feeds and sitemaps: short-lived, so a correction reaches readers within minutes. */
  readonly pages: string;
  /** Everything else (files keeping their names, the search index's loader). */
  readonly files: string;
}

/** The Cache-Control values used unless site.yaml's `cacheControl` says otherwise. */
export const DEFAULT_CACHE_POLICY: CachePolicy = {
  fingerprinted: 'public, max-age=31536000, immutable',
  pages: 'public, max-age=300, must-revalidate',
  files: 'public, max-age=300, must-revalidate',
};

/** A size in bytes, written `5 MB`, `500 kB` or as a number of bytes. */
const size = (what: string) =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    const bytes = parseSize(value);
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', message: `${what} must be a size like 5 MB, 500 kB or a number of bytes` });
      return z.NEVER;
    }
    return bytes;
  });

const siteSchema = z.object({
  title: text('title'),
  description: text('description').optional(),
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'baseUrl must be an http(s) URL like https://newsroom.iom.int/' })
    .optional(),
  language: z.string().regex(LANG, { error: 'language must be a code like en' }).optional(),
  languages: z
    .array(z.string().regex(LANG, { error: 'languages must be codes like en, fr, es' }), {
      error: 'languages must be a list of codes, e.g. [en, fr, es]',
    })
    .optional(),
  image: linkTarget('image').optional(),
  cacheControl: z
    .object({
      fingerprinted: headerValue('cacheControl.fingerprinted').optional(),
      pages: headerValue('cacheControl.pages').optional(),
      files: headerValue('cacheControl.files').optional(),
    })
    .strict()
    .optional(),
  limits: z
    .object({
      fileSize: size('limits.fileSize').optional(),
      frontMatter: size('limits.frontMatter').optional(),
      files: z
        .number({ error: 'limits.files must be a whole number, like 200000' })
        .int({ error: 'limits.files must be a whole number, like 200000' })
        .positive({ error: 'limits.files must be a whole number, like 200000' })
        .optional(),
      markdownSeconds: z
        .number({ error: 'limits.markdownSeconds must be a number of seconds above 0, like 30' })
        .positive({ error: 'limits.markdownSeconds must be a number of seconds above 0, like 30' })
        .optional(),
    })
    .strict()
    .optional(),
  organisation: z.object({
    name: text('organisation name'),
    shortName: text('organisation shortName').optional(),
    url: z.url({ protocol: /^https?$/, error: 'organisation url must be an http(s) URL' }).optional(),
    address: text('organisation address').optional(),
    email: z.email({ error: 'organisation email must be a valid address' }).optional(),
  }),
});

/** A navigation entry as written in navigation.yaml. */
export interface NavEntry {
  readonly label: string;
  readonly url: string;
  readonly children?: readonly NavEntry[] | undefined;
}

const navEntry: z.ZodType<NavEntry> = z.object({
  label: text('label'),
  url: linkTarget('url'),
  get children() {
    return z.array(navEntry).optional();
  },
});

const navigationSchema = z.object({ items: z.array(navEntry, { error: 'items must be a list of {label, url}' }) });

/** The site settings after validation, with every default filled in. */
export interface SiteConfig {
  readonly title: string;
  readonly description: string;
  /** Absolute base URL without a trailing slash, e.g. `https://newsroom.example.org`. */
  readonly baseUrl: string;
  /** The default language: its pages have no URL prefix. */
  readonly language: string;
  /** Every language the site publishes in, the default first; others get a `/<lang>/` URL prefix. */
  readonly languages: readonly string[];
  /** The image shared on social media and in JSON-LD when a page has none of its own. */
  readonly image: string | undefined;
  readonly cacheControl: CachePolicy;
  /** The input limits, from site.yaml's `limits` over {@link DEFAULT_LIMITS}. */
  readonly limits: Limits;
  readonly organisation: {
    readonly name: string;
    readonly shortName: string;
    readonly url: string | undefined;
    readonly address: string | undefined;
    readonly email: string | undefined;
  };
}

/** A navigation entry with where it was declared, so a broken link can be reported on its line. */
export interface LocatedNavEntry extends NavEntry {
  readonly children: readonly LocatedNavEntry[];
  readonly line: number;
  readonly column: number;
}

/**
 * Reads a data file: its size checked against `fileSize` before it is parsed, then its YAML against `schema`, with
 * problems reported under `rule`.
 */
export function loadYaml<S extends z.ZodObject>(
  source: SourceFile,
  schema: S,
  rule: string,
  fileSize: number = DEFAULT_LIMITS.fileSize,
) {
  const bytes = byteSize(source.text, fileSize);
  if (bytes > fileSize) {
    return { value: undefined, data: undefined, diagnostics: [fileSizeError(source.path, bytes, fileSize)] };
  }
  const parsed = parseYaml(source.path, source.text);
  if (!parsed.data) return { value: undefined, data: undefined, diagnostics: parsed.diagnostics };
  const checked = validate(schema, parsed.data, source.path, rule);
  return { ...checked, data: parsed.data, diagnostics: [...parsed.diagnostics, ...checked.diagnostics] };
}

/**
 * Reads site.yaml; `baseUrlOverride` (from `--base-url`) wins over the file. It sets the file size limit of the
 * other files, so it is itself held to the default one.
 */
export function loadSiteConfig(
  source: SourceFile | undefined,
  baseUrlOverride: string | undefined,
): { config: SiteConfig | undefined; diagnostics: Diagnostic[] } {
  if (!source) {
    return {
      config: undefined,
      diagnostics: [
        error(
          'content/_data/site.yaml',
          START,
          'site/missing',
          'site.yaml is missing: create it with title, baseUrl and organisation',
        ),
      ],
    };
  }
  const { value, diagnostics } = loadYaml(source, siteSchema, 'site');
  if (!value) return { config: undefined, diagnostics };
  const baseUrl = (baseUrlOverride ?? value.baseUrl ?? 'http://localhost:8080').replace(/\/+$/, '');
  const language = value.language ?? 'en';
  const config: SiteConfig = {
    title: value.title,
    description: value.description ?? '',
    baseUrl,
    language,
    languages: [language, ...new Set((value.languages ?? []).filter((l) => l !== language))],
    image: value.image,
    cacheControl: {
      fingerprinted: value.cacheControl?.fingerprinted ?? DEFAULT_CACHE_POLICY.fingerprinted,
      pages: value.cacheControl?.pages ?? DEFAULT_CACHE_POLICY.pages,
      files: value.cacheControl?.files ?? DEFAULT_CACHE_POLICY.files,
    },
    limits: {
      fileSize: value.limits?.fileSize ?? DEFAULT_LIMITS.fileSize,
      frontMatter: value.limits?.frontMatter ?? DEFAULT_LIMITS.frontMatter,
      files: value.limits?.files ?? DEFAULT_LIMITS.files,
      nesting: DEFAULT_LIMITS.nesting,
      markdownSeconds: value.limits?.markdownSeconds ?? DEFAULT_LIMITS.markdownSeconds,
    },
    organisation: {
      name: value.organisation.name,
      shortName: value.organisation.shortName ?? value.organisation.name,
      url: value.organisation.url,
      address: value.organisation.address,
      email: value.organisation.email,
    },
  };
  return { config, diagnostics };
}

/** Reads navigation.yaml into a tree of entries that remember their lines. */
export function loadNavigation(
  source: SourceFile | undefined,
  fileSize: number = DEFAULT_LIMITS.fileSize,
): {
  navigation: LocatedNavEntry[];
  diagnostics: Diagnostic[];
} {
  if (!source) return { navigation: [], diagnostics: [] };
  const { value, data, diagnostics } = loadYaml(source, navigationSchema, 'navigation', fileSize);
  if (!value || !data) return { navigation: [], diagnostics };
  const locate = (entries: readonly NavEntry[], path: PropertyKey[]): LocatedNavEntry[] =>
    entries.map((entry, i) => {
      const at = data.locate([...path, i, 'url']);
      return {
        label: entry.label,
        url: entry.url,
        line: at.line,
        column: at.column,
        children: locate(entry.children ?? [], [...path, i, 'children']),
      };
    });
  return { navigation: locate(value.items, ['items']), diagnostics };
}
