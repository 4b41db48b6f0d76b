import { z } from 'zod';
import { phoneInfo } from './phone.js';

/** Slugs and URL segments: lowercase letters, digits and single hyphens. */
export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** BCP 47 language tags of the simple kind we publish in (`en`, `fr`, `es`, `pt-BR`). */
export const LANG = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;

/** A required, trimmed, non-empty string whose errors name `what`. */
export const text = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be text`) })
    .trim()
    .min(1, { error: `${what} must not be empty` });

const dateOnly = z.iso.date();
const dateTime = z.iso.datetime({ offset: true, local: false });

/** A site-relative path (`/images/x.jpg`) or an absolute http(s) URL: never `javascript:` or `data:`. */
export const linkTarget = (what: string) =>
  text(what).refine((value) => /^\/(?!\/)/.test(value) || /^https?:\/\/[^\s/]+/i.test(value), {
    error: `${what} must be a path starting with / or an http(s):// URL`,
  });

// YAML reads `phone: 12345` as a number: check it as the text the editor typed.
const phone = z
  .preprocess((v) => (typeof v === 'number' ? String(v) : v), text('phone'))
  .refine((value) => phoneInfo(value).valid, {
    error: 'phone must be an international number starting with + and a country code, e.g. +41 22 717 9111',
  });

const contact = z.object({
  name: text('contact name'),
  office: text('contact office').optional(),
  phone: phone.optional(),
  email: z.email({ error: 'email must be a valid address like name@iom.int' }).optional(),
});

const image = z.object({
  src: linkTarget('image src'),
  alt: text('image alt (a description for readers who cannot see the image)'),
  caption: text('image caption').optional(),
  credit: text('image credit').optional(),
});

const lang = z.string({ error: 'lang must be a language code like en, fr or es' }).regex(LANG, {
  error: 'lang must be a language code like en, fr or es',
});

/** Links the language versions of one release or page: the same key on each. */
const translationKey = z.string({ error: 'translationKey must be text' }).regex(SLUG, {
  error:
    'translationKey may contain only lowercase letters, digits and hyphens (use the English slug, e.g. iom-opens-office)',
});

/** An old URL of a release on this site (`/news/old-slug/`), redirected to its current URL. */
const alias = z
  .string({ error: 'each alias must be a path like /news/old-slug/' })
  .max(1024, { error: 'an alias must be under 1,024 characters' })
  // `_redirects` reads `*` and `:name` segments as patterns: an alias `/*` would take over every missing URL.
  .refine(
    (value) =>
      /^\/(?!\/)/.test(value) &&
      !/[\s?#\\"'<>*]/.test(value) &&
      !value.split('/').some((s) => s === '..' || s === '.' || s.startsWith(':')),
    {
      error:
        'an alias must be a path on this site like /news/old-slug/, with no spaces, ?, #, *, quotes, :name or .. segments',
    },
  );

const flag = (what: string) => z.boolean({ error: `${what} must be true or false` });

/** The front matter of a press release. */
export const releaseSchema = z.object({
  title: text('title'),
  date: z.union([dateOnly, dateTime], {
    error: (issue) =>
      issue.input === undefined
        ? 'date is required (YYYY-MM-DD)'
        : 'date must be a real date as YYYY-MM-DD, or an ISO 8601 date-time with offset like 2012-05-15T09:00:00+08:00',
  }),
  location: text('location').optional(),
  country: text('country').optional(),
  region: text('region').optional(),
  themes: z.array(text('theme'), { error: 'themes must be a list, e.g. [Counter-trafficking]' }).optional(),
  summary: text('summary').optional(),
  contacts: z.array(contact, { error: 'contacts must be a list of {name, office, phone, email}' }).optional(),
  image: image.optional(),
  lang: lang.optional(),
  draft: flag('draft').optional(),
  embargo: dateTime
    .optional()
    .refine((v) => v === undefined || !Number.isNaN(Date.parse(v)), { error: 'embargo must be a real date-time' }),
  slug: z
    .string({ error: 'slug must be text' })
    .regex(SLUG, { error: 'slug may contain only lowercase letters, digits and hyphens (e.g. iom-opens-office)' })
    .optional(),
  translationKey: translationKey.optional(),
  aliases: z.array(alias, { error: 'aliases must be a list of old paths, e.g. [/news/old-slug/]' }).optional(),
  updated: z
    .union([dateOnly, dateTime], {
      error: 'updated must be the date of the last real edit, as YYYY-MM-DD or an ISO 8601 date-time with offset',
    })
    .optional(),
});

/** The front matter of a section page. */
export const pageSchema = z.object({
  title: text('title'),
  summary: text('summary').optional(),
  lang: lang.optional(),
  draft: flag('draft').optional(),
  translationKey: translationKey.optional(),
});

/** Validated release front matter. */
export type ReleaseMeta = z.output<typeof releaseSchema>;
/** Validated page front matter. */
export type PageMeta = z.output<typeof pageSchema>;
