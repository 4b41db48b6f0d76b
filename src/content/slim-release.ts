import type { Contact, Release } from './release.js';

const NO_CONTACTS: readonly Contact[] = Object.freeze([]);

/**
 * `text` as a one-byte string when all its characters fit in Latin-1. A file with a single curly quote is read as
 * a two-byte string, and so is everything sliced from it (the whole front matter): a title or summary kept for the
 * build then takes twice the memory it needs.
 */
function latin1<T extends string | undefined>(text: T): T {
  if (text === undefined) return text;
  const copy = Buffer.from(text, 'latin1').toString('latin1');
  return (copy === text ? copy : text) as T;
}

/**
 * One copy of each equal value among many releases. Load results come from worker threads and the disk cache as
 * structured clones, so every release brings its own copy of the same language, region, theme list, line numbers
 * and dates (about 25 MB of copies at 30,000 releases).
 */
export class ValuePool {
  readonly #strings = new Map<string, string>();
  readonly #values = new Map<string, unknown>();

  /** The first string equal to `text` this pool saw. */
  string<T extends string | undefined>(text: T): T {
    if (text === undefined) return text;
    const known = this.#strings.get(text);
    if (known !== undefined) return known as T;
    this.#strings.set(text, text);
    return text;
  }

  /** The first value with the same JSON this pool saw: for small immutable lists and records only. */
  value<T>(value: T): T {
    const key = JSON.stringify(value);
    const known = this.#values.get(key);
    if (known !== undefined) return known as T;
    this.#values.set(key, value);
    return value;
  }
}

/**
 * What a one-shot build keeps of a release whose load result is in the persistent cache: what routing, the checks
 * and the listings read. The body and the contacts are only rendered, so they stay in the cache entry (`htmlKey`),
 * which the renderer reads whole (see `withBody`); values many releases share are kept once, in `pool`.
 *
 * Written out field by field rather than spread: V8 gives the copies of structured clones made with a spread a
 * hidden class each (about 700 bytes a release), and every object made by this literal shares one.
 */
export function slimRelease(release: Release, htmlKey: string, pool: ValuePool): Release {
  return {
    kind: 'release',
    source: release.source,
    slug: release.slug,
    url: release.url,
    title: latin1(release.title),
    date: pool.string(release.date),
    day: pool.string(release.day),
    timestamp: release.timestamp,
    location: pool.string(release.location),
    country: pool.string(release.country),
    region: pool.string(release.region),
    themes: pool.value(release.themes.map((theme) => pool.string(theme))),
    summary: latin1(release.summary),
    contacts: NO_CONTACTS,
    image: release.image,
    lang: pool.string(release.lang),
    draft: release.draft,
    embargo: release.embargo,
    html: '',
    htmlKey,
    translationKey: release.translationKey,
    updated: pool.string(release.updated),
    updatedTimestamp: release.updatedTimestamp,
    aliases: pool.value(release.aliases),
    slugLine: release.slugLine,
    lines: pool.value(release.lines),
  };
}
