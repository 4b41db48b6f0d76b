import { createHash } from 'node:crypto';
import type { Page } from '../content/page.js';
import { languagePrefix, type Release } from '../content/release.js';
import type { LocatedNavEntry } from '../content/site-data.js';
import type { Label, TermKind, Translations } from '../content/translations.js';
import { aliasRoutes } from './aliases.js';
import { flatten, type LocalNavEntry } from './navigation.js';
import { type PageOf, paginate } from './pagination.js';
import { newestFirst, type PublicationStatus, publicationStatus } from './publication.js';
import type { Taxonomy } from './taxonomy.js';
import { outputPathFor } from './urls.js';

/** One step of a breadcrumb trail. */
export interface Crumb {
  readonly label: string;
  readonly url: string;
  /** The label's language when it is not the page's own. */
  readonly lang?: string | undefined;
}

/** The same page in another language (the page itself included), for the language switcher and hreflang. */
export interface Alternate {
  readonly lang: string;
  readonly url: string;
}

interface RouteBase {
  readonly url: string;
  readonly outputPath: string;
  /** The Nunjucks template that renders it; empty for files the generator writes itself (feeds, sitemaps). */
  readonly template: string;
  readonly title: string;
  readonly description: string | undefined;
  readonly lang: string;
  readonly breadcrumbs: readonly Crumb[];
  /** The source files this page is made from (for clash reports). */
  readonly sources: readonly string[];
  /** Every language version of this page, in the site's language order; empty when it has no other. */
  readonly alternates: readonly Alternate[];
}

/**
 * What a listing, a related list or previous/next shows of a release: never its body. Pages that list a release
 * hold its card, so an edit to a release's text re-renders only the pages that show the text (its own page and
 * feeds), not every listing and related list it appears in: their signatures hash the cards by value.
 */
export interface Card {
  readonly source: string;
  readonly url: string;
  readonly title: string;
  readonly date: string;
  readonly day: string;
  readonly location: string | undefined;
  readonly summary: string | undefined;
  readonly lang: string;
}

const cards = new WeakMap<Release, Card>();
/** Values many routes share (cards, term links), with their hash once made ('' until then). */
const sharedKeys = new WeakMap<object, string>();

/** Marks a value many routes share, so signatures hash it once: see {@link sharedKey}. Gives the value. */
function shared<T extends object>(value: T): T {
  sharedKeys.set(value, '');
  return value;
}

/** The card of a release, made once per release object. */
export function cardOf(release: Release): Card {
  let card = cards.get(release);
  if (!card) {
    const { source, url, title, date, day, location, summary, lang } = release;
    card = { source, url, title, date, day, location, summary, lang };
    cards.set(release, shared(card));
  }
  return card;
}

/**
 * A hash of the value, made once, when `value` is one that many routes share (a card, a term link): signatures
 * hash these instead of each of their fields. Undefined for any other value.
 */
export function sharedKey(value: object): string | undefined {
  const known = sharedKeys.get(value);
  if (known !== '') return known;
  const key = createHash('sha1').update(JSON.stringify(value)).digest('base64');
  sharedKeys.set(value, key);
  return key;
}

/** A link to an archive term's page in one language. */
export interface TermLink extends Label {
  readonly url: string;
  readonly slug: string;
}

/** A release page. */
export interface ReleaseRoute extends RouteBase {
  readonly kind: 'release';
  readonly release: Release;
  readonly status: PublicationStatus;
  /** The next older and next newer release in its language. */
  readonly previous: Card | undefined;
  readonly next: Card | undefined;
  /** Releases sharing its themes and country, the closest first, at most {@link RELATED}. */
  readonly related: readonly Card[];
  readonly terms: {
    readonly themes: readonly TermLink[];
    readonly region: TermLink | undefined;
    readonly country: TermLink | undefined;
  };
  readonly year: { readonly label: string; readonly url: string };
}

/** A section page. */
export interface PageRoute extends RouteBase {
  readonly kind: 'page';
  readonly page: Page;
  readonly children: readonly Page[];
}

/** The feeds of a listing, site-relative. */
export interface FeedLinks {
  readonly rss: string;
  readonly atom: string;
  readonly json: string;
}

/** Which listing a listing page is. */
export type ListingType = 'news' | 'year' | TermKind;

/** A page of a list of releases: all news, one year, one theme, region or country. */
export interface ListingRoute extends RouteBase {
  readonly kind: 'listing';
  readonly listing: ListingType;
  /** The heading: "News", the term's label, or the year's title. */
  readonly heading: Label;
  readonly pagination: PageOf<Card>;
  readonly feeds: FeedLinks | undefined;
  /** On a country's page: its region. */
  readonly region: TermLink | undefined;
  /** On a region's page: its countries. */
  readonly countries: readonly (TermLink & { count: number })[];
}

/** One entry of an index of terms, with how many releases it has. */
export interface TermEntry extends TermLink {
  readonly count: number;
  readonly children: readonly TermEntry[];
}

/** An index of all themes, regions, countries or years, with counts. */
export interface TermsRoute extends RouteBase {
  readonly kind: 'terms';
  readonly terms: TermKind | 'years';
  readonly entries: readonly TermEntry[];
}

/** The home page. */
export interface HomeRoute extends RouteBase {
  readonly kind: 'home';
  readonly latest: readonly Card[];
  readonly sections: readonly {
    label: string;
    lang: string | undefined;
    hreflang: string | undefined;
    url: string;
    summary: string | undefined;
  }[];
}

/** The search page. */
export interface SearchRoute extends RouteBase {
  readonly kind: 'search';
}

/** The page served for unknown URLs. */
export interface NotFoundRoute extends RouteBase {
  readonly kind: 'not-found';
}

/** A feed of the newest releases of a listing. */
export interface FeedRoute extends RouteBase {
  readonly kind: 'feed';
  readonly format: keyof FeedLinks;
  /** The listing page the feed follows. */
  readonly home: string;
  readonly links: FeedLinks;
  readonly items: readonly Release[];
}

/** One URL of the sitemap. */
export interface SitemapEntry {
  readonly url: string;
  readonly lastmod: string | undefined;
  readonly alternates: readonly Alternate[];
}

/** A sitemap, or the sitemap index when the site has more URLs than one sitemap may hold. */
export interface SitemapRoute extends RouteBase {
  readonly kind: 'sitemap';
  readonly entries: readonly SitemapEntry[];
  /** For the index: the sitemaps it lists. */
  readonly sitemaps: readonly { url: string; lastmod: string | undefined }[];
}

/** robots.txt. */
export interface RobotsRoute extends RouteBase {
  readonly kind: 'robots';
  readonly sitemap: string;
  /** A preview build (drafts shown): asks crawlers to stay away. */
  readonly preview: boolean;
}

/** An old URL of a release (an alias in its front matter): a page that sends readers to the release. */
export interface RedirectRoute extends RouteBase {
  readonly kind: 'redirect';
  /** Where it redirects to, site-relative. */
  readonly target: string;
  readonly release: Release;
  /** The line of the alias in the release's front matter. */
  readonly line: number;
}

/** Every file the site has. */
export type Route =
  | ReleaseRoute
  | PageRoute
  | ListingRoute
  | TermsRoute
  | HomeRoute
  | SearchRoute
  | NotFoundRoute
  | FeedRoute
  | SitemapRoute
  | RobotsRoute
  | RedirectRoute;

/** What routing needs to know about the build. */
export interface RouteOptions {
  readonly now: Date;
  readonly includeDrafts: boolean;
  readonly siteTitle: string;
  readonly translations: Translations;
  readonly taxonomy: Taxonomy;
  /** The navigation in each language (home pages list its sections). */
  readonly localNavigation: ReadonlyMap<string, readonly LocalNavEntry[]>;
  /** URLs per sitemap file; past it the sitemap becomes an index. */
  readonly sitemapLimit?: number;
}

/** Releases per listing page. */
export const NEWS_PER_PAGE = 20;
/** Releases on the home page. */
export const HOME_LATEST = 6;
/** Related releases on a release page. */
export const RELATED = 4;
/** Items in a feed. */
export const FEED_ITEMS = 50;
/** URLs in one sitemap file (the protocol's limit). */
export const SITEMAP_LIMIT = 50_000;

/** Where related lists are kept between processes, under a hash of what they are computed from. */
export interface RelatedStore {
  get(lang: string, key: string): number[][] | undefined;
  set(lang: string, key: string, indexes: number[][]): void;
}

/** A hash of everything {@link relatedIndexes} reads: each release's source, themes and country, in order. */
function relatedKey(releases: readonly Release[]): string {
  const hash = createHash('sha256');
  for (const r of releases) hash.update(`${r.source}\0${r.themes.join('\u0001')}\0${r.country ?? ''}\n`);
  return hash.digest('hex');
}

/**
 * Remembers routes between builds of a long-lived process, so a route whose inputs are the same objects
 * (unchanged releases come from the build cache as the same objects) is the same route object, and its signature
 * need not be computed again. A route is kept under a key while every one of its dependencies is identical; all are
 * forgotten when the shared context (translations, site title, build options) changes.
 */
export class RouteMemo {
  #context = '';
  #entries = new Map<string, { deps: readonly unknown[]; route: Route }>();
  #used = new Set<string>();

  readonly #related = new Map<string, { releases: readonly Release[]; indexes: number[][] }>();
  readonly #store: RelatedStore | undefined;
  readonly #versionOf: ((value: object) => string | undefined) | undefined;
  readonly #persistKeys = new WeakMap<Route, string>();

  readonly #keep: boolean;

  /**
   * `store` keeps related lists between processes (a one-shot build's persistent cache); with `versionOf` (the
   * content key of a loaded release or page), each route made gets a {@link persistKey}. Without `keep` (a one-shot
   * build, which never builds again) no route is kept: keeping them would only hold every route twice.
   */
  constructor(
    options: {
      keep?: boolean;
      store?: RelatedStore | undefined;
      versionOf?: (value: object) => string | undefined;
    } = {},
  ) {
    this.#keep = options.keep ?? true;
    this.#store = options.store;
    this.#versionOf = options.versionOf;
  }

  /** The routes' context, set by {@link begin}. */
  get context(): string {
    return this.#context;
  }

  /**
   * A key naming the route and everything it was made from, the same in every process (objects by their content
   * key): a route with the same key in the same context is made of the same data. Undefined when one of its
   * dependencies has no content key.
   */
  persistKey(route: Route): string | undefined {
    return this.#persistKeys.get(route);
  }

  #remember(route: Route, key: string, deps: readonly unknown[]): void {
    const versionOf = this.#versionOf;
    if (!versionOf) return;
    const hash = createHash('sha1').update(key);
    for (const dep of deps) {
      if (typeof dep === 'object' && dep !== null) {
        const version = versionOf(dep);
        if (version === undefined) return;
        hash.update(`\u0001o${version}`);
      } else hash.update(`\u0001${typeof dep}${String(dep)}`);
    }
    this.#persistKeys.set(route, `${key}\0${hash.digest('base64')}`);
  }

  /**
   * The related releases of `releases` (one language, newest first), computed again only when the order or the
   * themes and countries of the list changed: an edit to a release's text reuses the last result.
   */
  related(lang: string, releases: readonly Release[]): Release[][] {
    const known = this.#related.get(lang);
    const sameTerms = (a: Release | undefined, b: Release) =>
      a === b ||
      (a?.source === b.source &&
        a.country === b.country &&
        a.themes.length === b.themes.length &&
        a.themes.every((t, i) => t === b.themes[i]));
    if (
      known &&
      known.releases.length === releases.length &&
      releases.every((r, i) => sameTerms(known.releases[i], r))
    ) {
      this.#related.set(lang, { releases, indexes: known.indexes });
      return relatedReleases(releases, known.indexes);
    }
    const key = this.#store && relatedKey(releases);
    let indexes = key === undefined ? undefined : this.#store?.get(lang, key);
    if (!indexes) {
      indexes = relatedIndexes(releases);
      if (key !== undefined) this.#store?.set(lang, key, indexes);
    }
    this.#related.set(lang, { releases, indexes });
    return relatedReleases(releases, indexes);
  }

  /** Starts a build in `context`: routes from a build in another context are forgotten. */
  begin(context: string): void {
    if (context !== this.#context) this.#entries.clear();
    this.#context = context;
    this.#used = new Set();
  }

  /**
   * The route under `key`, made again only when a dependency changed. The dependencies are asked for only when
   * they are used: a memo that keeps nothing and gives no persist keys never makes them.
   */
  get<R extends Route>(key: string, depsOf: () => readonly unknown[], make: () => R): R {
    if (!this.#keep && !this.#versionOf) return make();
    const deps = depsOf();
    if (this.#keep) {
      this.#used.add(key);
      const known = this.#entries.get(key);
      if (known && known.deps.length === deps.length && known.deps.every((d, i) => d === deps[i])) {
        return known.route as R;
      }
    }
    const route = make();
    if (this.#keep) this.#entries.set(key, { deps, route });
    this.#remember(route, key, deps);
    return route;
  }

  /** Forgets routes the last build did not ask for, so they do not hold old releases in memory. */
  end(): void {
    for (const key of this.#entries.keys()) if (!this.#used.has(key)) this.#entries.delete(key);
  }
}

/** Makes routes without remembering them (a one-off build). */
const NO_MEMO = {
  get: <R extends Route>(_key: string, _deps: () => readonly unknown[], make: () => R): R => make(),
  related: (_lang: string, releases: readonly Release[]): Release[][] => relatedReleases(releases),
};

/** The parent URLs of a URL, outermost first: `/a/b/c/` -> [`/a/`, `/a/b/`]. */
function ancestors(url: string): string[] {
  const parts = url.split('/').filter(Boolean);
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}/`);
}

const feedLinks = (base: string): FeedLinks => ({
  rss: `${base}feed.xml`,
  atom: `${base}atom.xml`,
  json: `${base}feed.json`,
});

const TERM_KINDS: readonly TermKind[] = ['themes', 'regions', 'countries'];

/** The releases filed under each term, newest first, by term label. */
function groupByTerm(releases: readonly Release[]): Record<TermKind, Map<string, Release[]>> {
  const groups = { themes: new Map<string, Release[]>(), regions: new Map(), countries: new Map() };
  const add = (map: Map<string, Release[]>, label: string, release: Release) => {
    const list = map.get(label);
    if (list) list.push(release);
    else map.set(label, [release]);
  };
  for (const release of releases) {
    for (const theme of new Set(release.themes)) add(groups.themes, theme, release);
    if (release.region) add(groups.regions, release.region, release);
    if (release.country) add(groups.countries, release.country, release);
  }
  return groups;
}

/**
 * Finds each release's related releases: those sharing the most of its themes and its country (the country counts
 * as one theme), newest first among equals, at most {@link RELATED}. `releases` must be newest first.
 *
 * Fast at 10,000 releases in a few themes (where counting every candidate of every release costs a second): a
 * release sharing all k of its terms is in the smallest of its term groups, so that group is scanned first, and
 * most releases find their four there. Otherwise the groups are merged newest first, scoring each candidate, until
 * enough share k-1 terms (none older can beat them), or to the end.
 */
export function relatedIndexes(releases: readonly Release[]): number[][] {
  // Terms as small numbers, each release's as a list, and each term's releases as a list of indexes (newest first).
  const ids = new Map<string, number>();
  const id = (key: string): number => {
    let known = ids.get(key);
    if (known === undefined) {
      known = ids.size;
      ids.set(key, known);
    }
    return known;
  };
  const termsOf = releases.map((release) => [
    ...new Set([
      ...release.themes.map((theme) => id(`theme\0${theme}`)),
      ...(release.country ? [id(`country\0${release.country}`)] : []),
    ]),
  ]);
  const groups: number[][] = Array.from({ length: ids.size }, () => []);
  termsOf.forEach((terms, i) => {
    for (const term of terms) groups[term]?.push(i);
  });
  const mine = new Uint8Array(ids.size);
  const score = (other: number): number => {
    let shared = 0;
    for (const term of termsOf[other] ?? []) shared += mine[term] ?? 0;
    return shared;
  };
  return releases.map((_, self) => {
    const terms = termsOf[self] ?? [];
    const k = terms.length;
    if (k === 0) return [];
    for (const term of terms) mine[term] = 1;
    const lists = terms.map((term) => groups[term] ?? []);
    let smallest = lists[0] ?? [];
    for (const list of lists) if (list.length < smallest.length) smallest = list;
    const best: number[] = [];
    for (let i = 0; i < smallest.length && best.length < RELATED; i++) {
      const other = smallest[i] ?? self;
      if (other !== self && score(other) === k) best.push(other);
    }
    if (best.length < RELATED && k > 1) {
      // Every candidate sharing all k terms is in `best` now; merge the groups for the rest, newest first.
      const byScore: number[][] = Array.from({ length: k }, () => []);
      const chosen = new Set(best);
      const at = new Array<number>(k).fill(0);
      for (;;) {
        let next = Number.POSITIVE_INFINITY;
        for (let j = 0; j < k; j++) {
          const head = lists[j]?.[at[j] ?? 0];
          if (head !== undefined && head < next) next = head;
        }
        if (next === Number.POSITIVE_INFINITY) break;
        for (let j = 0; j < k; j++) if (lists[j]?.[at[j] ?? 0] === next) at[j] = (at[j] ?? 0) + 1;
        if (next === self || chosen.has(next)) continue;
        byScore[score(next)]?.push(next);
        if (best.length + (byScore[k - 1]?.length ?? 0) >= RELATED) break;
      }
      for (let s = k - 1; s > 0 && best.length < RELATED; s--) {
        best.push(...(byScore[s] ?? []).slice(0, RELATED - best.length));
      }
    }
    for (const term of terms) mine[term] = 0;
    return best;
  });
}

/** {@link relatedIndexes} as releases. */
export function relatedReleases(releases: readonly Release[], indexes = relatedIndexes(releases)): Release[][] {
  return indexes.map((list) => list.map((i) => releases[i] as Release));
}

/** A cheap string that changes when a release page's alternates or term links do. */
function keyOf(alternates: readonly Alternate[], terms: ReleaseRoute['terms']): string {
  const links = [...terms.themes, terms.region, terms.country].map((l) => (l ? `${l.url}\u0001${l.label}` : ''));
  return `${alternates.map((a) => a.url).join(' ')}\0${links.join(' ')}`;
}

/** A route before its alternates are known: its language-neutral key, and how to make it once they are. */
interface Pending {
  readonly key: string;
  readonly lang: string;
  readonly url: string;
  readonly make: (alternates: readonly Alternate[]) => Route;
}

/** Turns loaded content into the list of files to render. Pure: no IO. */
export function buildRoutes(
  releases: readonly Release[],
  pages: readonly Page[],
  navigation: readonly LocatedNavEntry[],
  options: RouteOptions,
  memo: Pick<RouteMemo, 'get' | 'related'> = NO_MEMO,
): Route[] {
  const { translations, taxonomy } = options;
  const defaultLanguage = translations.defaultLanguage;
  const localize = (lang: string, path: string): string => `${languagePrefix(lang, defaultLanguage)}${path}`;
  const t = (lang: string, key: string, params?: Record<string, unknown>) => translations.t(lang, key, params);
  const organisation = (lang: string) => t(lang, 'organisationName');

  const shown = releases
    .map((release) => ({ release, status: publicationStatus(release, options.now) }))
    .filter(({ status }) => status === 'published' || options.includeDrafts)
    .sort((a, b) => newestFirst(a.release, b.release));
  const visiblePages = pages.filter((p) => !p.draft || options.includeDrafts);
  const pageByUrl = new Map(visiblePages.map((p) => [p.url, p]));
  const navLabels = new Map(
    flatten(navigation)
      .reverse()
      .map((e) => [e.url, e.label]),
  );

  const pending: Pending[] = [];
  const sitemapEntries: { key: string; url: string; lastmod: string | undefined }[] = [];

  for (const lang of translations.languages) {
    const home: Crumb = { label: t(lang, 'home'), url: localize(lang, '/') };
    const news: Crumb = { label: t(lang, 'news'), url: localize(lang, '/news/') };
    const inLanguage = shown.filter(({ release }) => release.lang === lang);
    const listed = inLanguage.map(({ release }) => release);
    const published = inLanguage.filter(({ status }) => status === 'published').map(({ release }) => release);
    const publishedSet = new Set(published);
    const groups = groupByTerm(listed);
    const relatedOf = memo.related(lang, listed);
    const termLinks = new Map<string, TermLink | undefined>();
    const termLink = (kind: TermKind, label: string): TermLink | undefined => {
      const key = `${kind}\0${label}`;
      if (termLinks.has(key)) return termLinks.get(key);
      const term = taxonomy[kind].get(label);
      const link =
        term && shared({ ...translations.term(lang, kind, label), url: localize(lang, term.path), slug: term.slug });
      termLinks.set(key, link);
      return link;
    };
    const yearOf = (release: Release) => release.day.slice(0, 4);
    // Most releases share their terms with many others, and their year with thousands: one object for each, not
    // one per page (routes stay in memory until the build ends).
    const sharedTerms = new Map<string, ReleaseRoute['terms']>();
    const termsOf = (release: Release): ReleaseRoute['terms'] => {
      const key = JSON.stringify([release.themes, release.region ?? null, release.country ?? null]);
      let terms = sharedTerms.get(key);
      if (!terms) {
        terms = {
          themes: [...new Set(release.themes)].map((theme) => termLink('themes', theme)).filter((l) => l !== undefined),
          region: release.region ? termLink('regions', release.region) : undefined,
          country: release.country ? termLink('countries', release.country) : undefined,
        };
        sharedTerms.set(key, terms);
      }
      return terms;
    };
    const yearLinks = new Map<string, ReleaseRoute['year']>();
    const yearLinkOf = (year: string): ReleaseRoute['year'] => {
      let link = yearLinks.get(year);
      if (!link) {
        link = { label: year, url: localize(lang, `/news/${year}/`) };
        yearLinks.set(year, link);
      }
      return link;
    };
    const lastmod = (list: readonly Release[]): string | undefined =>
      list.reduce<Release | undefined>(
        (newest, r) => (newest && newest.updatedTimestamp >= r.updatedTimestamp ? newest : r),
        undefined,
      )?.updated;

    // Releases.
    for (const [i, { release, status }] of inLanguage.entries()) {
      const next = listed[i - 1];
      const previous = listed[i + 1];
      const related = relatedOf[i] ?? [];
      const key = release.translationKey ? `release:${release.translationKey}` : `release#${release.source}`;
      const year = yearOf(release);
      const terms = termsOf(release);
      const yearLink = yearLinkOf(year);
      pending.push({
        key,
        lang,
        url: release.url,
        make: (alternates) =>
          memo.get(
            `${release.source}`,
            () => [release, status, previous, next, ...related, keyOf(alternates, terms)],
            (): ReleaseRoute => ({
              kind: 'release',
              url: release.url,
              outputPath: outputPathFor(release.url),
              template: 'release.njk',
              title: release.title,
              description: release.summary,
              lang,
              breadcrumbs: [home, news, { label: release.title, url: release.url }],
              sources: [release.source],
              alternates,
              release,
              status,
              previous: previous && cardOf(previous),
              next: next && cardOf(next),
              related: related.map(cardOf),
              terms,
              year: yearLink,
            }),
          ),
      });
      if (status === 'published') sitemapEntries.push({ key, url: release.url, lastmod: release.updated });
    }

    // Listings: all news, each year, each term; each paginated, page 1 with feeds for news, themes and regions.
    const listing = (
      type: ListingType,
      slug: string,
      base: string,
      heading: Label,
      crumbs: readonly Crumb[],
      items: readonly Release[],
      extra: {
        feeds?: readonly Release[];
        region?: TermLink | undefined;
        countries?: readonly (TermLink & { count: number })[];
      },
    ) => {
      const description =
        type === 'news'
          ? t(lang, 'newsDescription', { organisation: organisation(lang) })
          : t(lang, 'termDescription', { term: heading.label, organisation: organisation(lang) });
      const feeds = extra.feeds ? feedLinks(base) : undefined;
      const extraKey = JSON.stringify([extra.region, extra.countries]);
      for (const pagination of paginate(items, NEWS_PER_PAGE, base)) {
        const n = pagination.number;
        const title =
          n === 1 ? heading.label : `${heading.label}, ${t(lang, 'pageOf', { number: n, total: pagination.total })}`;
        const key = `listing:${type}:${slug}:${n}`;
        pending.push({
          key,
          lang,
          url: pagination.url,
          make: (alternates) =>
            memo.get(
              `${lang}:${key}`,
              () => [pagination.total, ...pagination.items, JSON.stringify(alternates), extraKey],
              (): ListingRoute => ({
                kind: 'listing',
                listing: type,
                url: pagination.url,
                outputPath: outputPathFor(pagination.url),
                template: 'listing.njk',
                title,
                description,
                lang,
                breadcrumbs: [
                  ...crumbs,
                  { label: heading.label, url: base, lang: heading.lang },
                  ...(n === 1
                    ? []
                    : [{ label: t(lang, 'pageOf', { number: n, total: pagination.total }), url: pagination.url }]),
                ],
                sources: pagination.items.map((r) => r.source),
                alternates,
                heading,
                pagination: { ...pagination, items: pagination.items.map(cardOf) },
                feeds: n === 1 ? feeds : undefined,
                region: extra.region,
                countries: extra.countries ?? [],
              }),
            ),
        });
        sitemapEntries.push({ key, url: pagination.url, lastmod: lastmod(pagination.items) });
      }
      if (feeds && extra.feeds) {
        const items = extra.feeds.slice(0, FEED_ITEMS);
        for (const format of ['rss', 'atom', 'json'] as const) {
          const url = feeds[format];
          pending.push({
            key: `feed:${type}:${slug}:${format}`,
            lang,
            url,
            make: (alternates) =>
              memo.get(
                `${lang}:feed:${type}:${slug}:${format}`,
                () => [...items, JSON.stringify(alternates)],
                () => ({
                  kind: 'feed',
                  format,
                  url,
                  outputPath: url.slice(1),
                  template: '',
                  title:
                    type === 'news'
                      ? options.siteTitle
                      : t(lang, 'feedTitle', { site: options.siteTitle, term: heading.label }),
                  description,
                  lang,
                  breadcrumbs: [],
                  sources: items.map((r) => r.source),
                  alternates,
                  home: base,
                  links: feeds,
                  items,
                }),
              ),
          });
        }
      }
    };

    const newsBase = localize(lang, '/news/');
    listing('news', '', newsBase, { label: t(lang, 'news'), lang: undefined }, [home], listed, { feeds: published });

    const years = new Map<string, Release[]>();
    for (const release of listed) {
      const year = yearOf(release);
      const list = years.get(year);
      if (list) list.push(release);
      else years.set(year, [release]);
    }
    const yearsUrl = localize(lang, '/news/archive/');
    const yearsCrumb = { label: t(lang, 'years'), url: yearsUrl };
    for (const [year, items] of years) {
      listing(
        'year',
        year,
        localize(lang, `/news/${year}/`),
        { label: t(lang, 'yearTitle', { year }), lang: undefined },
        [home, news, yearsCrumb],
        items,
        {},
      );
    }

    const indexes: { kind: TermKind | 'years'; url: string; entries: TermEntry[] }[] = [
      {
        kind: 'years',
        url: yearsUrl,
        entries: [...years].map(([year, items]) => ({
          label: year,
          lang: undefined,
          slug: year,
          url: localize(lang, `/news/${year}/`),
          count: items.length,
          children: [],
        })),
      },
    ];
    const entry = (kind: TermKind, label: string): TermEntry | undefined => {
      const link = termLink(kind, label);
      const count = groups[kind].get(label)?.length ?? 0;
      return link && count > 0 ? { ...link, count, children: [] } : undefined;
    };
    const byLabel = (a: { label: string }, b: { label: string }) => a.label.localeCompare(b.label, lang);
    for (const kind of TERM_KINDS) {
      const labelled = [...groups[kind].keys()]
        .map((label) => ({ label, entry: entry(kind, label) }))
        .filter((e): e is { label: string; entry: TermEntry } => e.entry !== undefined)
        .sort((a, b) => byLabel(a.entry, b.entry));
      const entries = labelled.map((e) => e.entry);
      const indexUrl = localize(lang, `/${kind}/`);
      const indexCrumb = { label: t(lang, kind), url: indexUrl };
      for (const { label, entry: termEntry } of labelled) {
        const items = groups[kind].get(label) ?? [];
        const regionLabel = kind === 'countries' ? taxonomy.regionOf.get(label) : undefined;
        const countries =
          kind === 'regions'
            ? [...groups.countries.keys()]
                .filter((country) => taxonomy.regionOf.get(country) === label)
                .map((country) => entry('countries', country))
                .filter((e) => e !== undefined)
                .sort(byLabel)
            : [];
        listing(kind, termEntry.slug, termEntry.url, termEntry, [home, indexCrumb], items, {
          ...(kind === 'countries' ? {} : { feeds: items.filter((r) => publishedSet.has(r)) }),
          region: regionLabel && groups.regions.has(regionLabel) ? termLink('regions', regionLabel) : undefined,
          countries,
        });
      }
      indexes.push({
        kind,
        url: indexUrl,
        entries:
          kind === 'regions'
            ? entries.map((region) => ({
                ...region,
                children: [...groups.countries.keys()]
                  .filter((country) => {
                    const r = taxonomy.regionOf.get(country);
                    return r !== undefined && taxonomy.regions.get(r)?.slug === region.slug;
                  })
                  .map((country) => entry('countries', country))
                  .filter((e) => e !== undefined)
                  .sort(byLabel),
              }))
            : entries,
      });
    }
    for (const index of indexes) {
      const name = index.kind;
      const title = t(lang, name);
      const key = `terms:${name}`;
      pending.push({
        key,
        lang,
        url: index.url,
        make: (alternates) => ({
          kind: 'terms',
          terms: name,
          url: index.url,
          outputPath: outputPathFor(index.url),
          template: 'terms.njk',
          title,
          description: t(lang, `${name}Description`, { organisation: organisation(lang) }),
          lang,
          breadcrumbs:
            name === 'years'
              ? [home, news, { label: title, url: index.url }]
              : [home, { label: title, url: index.url }],
          sources: [],
          alternates,
          entries: index.entries,
        }),
      });
      sitemapEntries.push({ key, url: index.url, lastmod: undefined });
    }

    // Section pages.
    const label = (url: string): string => pageByUrl.get(url)?.title ?? navLabels.get(url) ?? url;
    for (const page of visiblePages.filter((p) => p.lang === lang)) {
      const key = page.translationKey ? `page:${page.translationKey}` : `page#${page.source}`;
      const children = visiblePages.filter((p) => p.url !== page.url && ancestors(p.url).at(-1) === page.url);
      const parents = ancestors(page.url).filter((url) => url !== localize(lang, '/'));
      pending.push({
        key,
        lang,
        url: page.url,
        make: (alternates) => ({
          kind: 'page',
          url: page.url,
          outputPath: outputPathFor(page.url),
          template: 'page.njk',
          title: page.title,
          description: page.summary,
          lang,
          breadcrumbs: [
            home,
            ...parents.map((url) => ({ label: label(url), url })),
            { label: page.title, url: page.url },
          ],
          sources: [page.source],
          alternates,
          page,
          children,
        }),
      });
      if (!page.draft) sitemapEntries.push({ key, url: page.url, lastmod: undefined });
    }

    // Home, search and 404.
    const latest = listed.slice(0, HOME_LATEST);
    const homeUrl = localize(lang, '/');
    pending.push({
      key: 'home',
      lang,
      url: homeUrl,
      make: (alternates) => ({
        kind: 'home',
        lang,
        url: homeUrl,
        outputPath: outputPathFor(homeUrl),
        template: 'home.njk',
        title: options.siteTitle,
        description: undefined,
        breadcrumbs: [],
        sources: latest.map((r) => r.source),
        alternates,
        latest: latest.map(cardOf),
        sections: (options.localNavigation.get(lang) ?? []).map((e) => ({
          label: e.label,
          lang: e.lang,
          hreflang: e.hreflang,
          url: e.url,
          summary: pageByUrl.get(e.url)?.summary,
        })),
      }),
    });
    sitemapEntries.push({ key: 'home', url: homeUrl, lastmod: lastmod(latest) });
    const searchUrl = localize(lang, '/search/');
    pending.push({
      key: 'search',
      lang,
      url: searchUrl,
      make: (alternates) => ({
        kind: 'search',
        lang,
        url: searchUrl,
        outputPath: outputPathFor(searchUrl),
        template: 'search.njk',
        title: t(lang, 'search'),
        description: t(lang, 'searchDescription', { organisation: organisation(lang) }),
        breadcrumbs: [home, { label: t(lang, 'search'), url: searchUrl }],
        sources: [],
        alternates,
      }),
    });
    const notFoundUrl = localize(lang, '/404.html');
    pending.push({
      key: 'not-found',
      lang,
      url: notFoundUrl,
      make: (alternates) => ({
        kind: 'not-found',
        lang,
        url: notFoundUrl,
        outputPath: notFoundUrl.slice(1),
        template: '404.njk',
        title: t(lang, 'notFound'),
        description: undefined,
        breadcrumbs: [],
        sources: [],
        alternates,
      }),
    });
  }

  const alternatesByKey = new Map<string, Alternate[]>();
  for (const { key, lang, url } of pending) {
    const list = alternatesByKey.get(key) ?? [];
    // Two versions in one language (a translation key used twice) are reported by the check; the first wins.
    if (!list.some((a) => a.lang === lang)) list.push({ lang, url });
    alternatesByKey.set(key, list);
  }
  const alternatesOf = (key: string): Alternate[] => {
    const list = alternatesByKey.get(key) ?? [];
    return list.length > 1 ? list : [];
  };
  const routes: Route[] = pending.map(({ key, make }) => make(alternatesOf(key)));
  routes.push(...aliasRoutes(shown.map(({ release }) => release)));
  routes.push(
    ...sitemapRoutes(
      sitemapEntries.map((e) => ({ url: e.url, lastmod: e.lastmod, alternates: alternatesOf(e.key) })),
      options.sitemapLimit ?? SITEMAP_LIMIT,
      defaultLanguage,
    ),
  );
  routes.push({
    kind: 'robots',
    url: '/robots.txt',
    outputPath: 'robots.txt',
    template: '',
    title: 'robots.txt',
    description: undefined,
    lang: defaultLanguage,
    breadcrumbs: [],
    sources: [],
    alternates: [],
    sitemap: '/sitemap.xml',
    preview: options.includeDrafts,
  });
  return routes;
}

/** The sitemap of `entries`, or a sitemap index and one sitemap per `limit` entries when there are more. */
export function sitemapRoutes(entries: readonly SitemapEntry[], limit: number, lang: string): SitemapRoute[] {
  const base = {
    template: '',
    title: 'Sitemap',
    description: undefined,
    lang,
    breadcrumbs: [],
    sources: [],
    alternates: [],
  };
  if (entries.length <= limit) {
    return [{ ...base, kind: 'sitemap', url: '/sitemap.xml', outputPath: 'sitemap.xml', entries, sitemaps: [] }];
  }
  const chunks: SitemapRoute[] = [];
  for (let i = 0; i < entries.length; i += limit) {
    const url = `/sitemap-${chunks.length + 1}.xml`;
    chunks.push({
      ...base,
      kind: 'sitemap',
      url,
      outputPath: url.slice(1),
      entries: entries.slice(i, i + limit),
      sitemaps: [],
    });
  }
  const newest = (list: readonly SitemapEntry[]) =>
    list.reduce<string | undefined>((max, e) => (e.lastmod && (!max || e.lastmod > max) ? e.lastmod : max), undefined);
  return [
    {
      ...base,
      kind: 'sitemap',
      url: '/sitemap.xml',
      outputPath: 'sitemap.xml',
      entries: [],
      sitemaps: chunks.map((c) => ({ url: c.url, lastmod: newest(c.entries) })),
    },
    ...chunks,
  ];
}
