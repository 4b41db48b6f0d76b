import type { Page } from '../content/page.js';
import type { Release } from '../content/release.js';
import type { LocatedNavEntry } from '../content/site-data.js';
import { flatten } from './navigation.js';
import { type PageOf, paginate } from './pagination.js';
import { newestFirst, type PublicationStatus, publicationStatus } from './publication.js';
import { outputPathFor } from './urls.js';

/** One step of a breadcrumb trail. */
export interface Crumb {
  readonly label: string;
  readonly url: string;
}

interface RouteBase {
  readonly url: string;
  readonly outputPath: string;
  readonly template: string;
  readonly title: string;
  readonly description: string | undefined;
  readonly lang: string;
  readonly breadcrumbs: readonly Crumb[];
  /** The source files this page is made from (for clash reports, later for incremental builds). */
  readonly sources: readonly string[];
}

/** A release page. */
export interface ReleaseRoute extends RouteBase {
  readonly kind: 'release';
  readonly release: Release;
  readonly status: PublicationStatus;
}

/** A section page. */
export interface PageRoute extends RouteBase {
  readonly kind: 'page';
  readonly page: Page;
  readonly children: readonly Page[];
}

/** A page of the news index. */
export interface NewsIndexRoute extends RouteBase {
  readonly kind: 'news-index';
  readonly pagination: PageOf<Release>;
}

/** The home page. */
export interface HomeRoute extends RouteBase {
  readonly kind: 'home';
  readonly latest: readonly Release[];
  readonly sections: readonly { label: string; url: string; summary: string | undefined }[];
}

/** The page served for unknown URLs. */
export interface NotFoundRoute extends RouteBase {
  readonly kind: 'not-found';
}

/** Every page the site has. */
export type Route = ReleaseRoute | PageRoute | NewsIndexRoute | HomeRoute | NotFoundRoute;

/** What routing needs to know about the build. */
export interface RouteOptions {
  readonly now: Date;
  readonly includeDrafts: boolean;
  readonly language: string;
  readonly siteTitle: string;
}

/** Releases per page of the news index. */
export const NEWS_PER_PAGE = 20;
/** Releases on the home page. */
export const HOME_LATEST = 6;

const HOME: Crumb = { label: 'Home', url: '/' };
const NEWS: Crumb = { label: 'News', url: '/news/' };

/** The parent URLs of a URL, outermost first: `/a/b/c/` -> [`/a/`, `/a/b/`]. */
function ancestors(url: string): string[] {
  const parts = url.split('/').filter(Boolean);
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}/`);
}

/** A release's page: a function of the release and its status only. */
function releaseRoute(release: Release, status: PublicationStatus): ReleaseRoute {
  return {
    kind: 'release',
    url: release.url,
    outputPath: outputPathFor(release.url),
    template: 'release.njk',
    title: release.title,
    description: release.summary,
    lang: release.lang,
    breadcrumbs: [HOME, NEWS, { label: release.title, url: release.url }],
    sources: [release.source],
    release,
    status,
  };
}

/** A page of the news index: a function of its page of releases and the site's language and title only. */
function newsIndexRoute(pagination: PageOf<Release>, options: RouteOptions): NewsIndexRoute {
  const title = pagination.number === 1 ? 'News' : `News, page ${pagination.number} of ${pagination.total}`;
  return {
    kind: 'news-index',
    lang: options.language,
    url: pagination.url,
    outputPath: outputPathFor(pagination.url),
    template: 'news-index.njk',
    title,
    description: `Press releases from ${options.siteTitle}, newest first.`,
    breadcrumbs:
      pagination.number === 1
        ? [HOME, NEWS]
        : [HOME, NEWS, { label: `Page ${pagination.number}`, url: pagination.url }],
    sources: pagination.items.map((r) => r.source),
    pagination,
  };
}

/**
 * Remembers release and news-index routes between builds of a long-lived process, so a route whose inputs are the
 * same objects (unchanged releases come from the build cache as the same objects) is the same route object, and its
 * signature need not be computed again. Keyed by every argument of the function that makes the route.
 */
export class RouteMemo {
  readonly #releases = new WeakMap<Release, Partial<Record<PublicationStatus, ReleaseRoute>>>();
  /** Page number -> the route made last for it, and the rest of what it was made from. */
  readonly #newsIndex = new Map<number, { key: string; route: NewsIndexRoute }>();

  /** The news-index route for `pagination`, reused while the page lists the very same release objects. */
  newsIndex(pagination: PageOf<Release>, options: RouteOptions): NewsIndexRoute {
    const key = `${pagination.total}\0${options.language}\0${options.siteTitle}`;
    const known = this.#newsIndex.get(pagination.number);
    const items = known?.route.pagination.items;
    if (
      known?.key === key &&
      items?.length === pagination.items.length &&
      items.every((item, i) => item === pagination.items[i])
    ) {
      return known.route;
    }
    const route = newsIndexRoute(pagination, options);
    this.#newsIndex.set(pagination.number, { key, route });
    return route;
  }

  /** Forgets news-index pages past `total` (the index got shorter), so they do not hold old releases in memory. */
  trimNewsIndex(total: number): void {
    for (const number of this.#newsIndex.keys()) if (number > total) this.#newsIndex.delete(number);
  }

  /** The route of `release` with `status`, made once. */
  release(release: Release, status: PublicationStatus): ReleaseRoute {
    let byStatus = this.#releases.get(release);
    if (!byStatus) {
      byStatus = {};
      this.#releases.set(release, byStatus);
    }
    byStatus[status] ??= releaseRoute(release, status);
    return byStatus[status];
  }
}

/** Turns loaded content into the list of pages to render. Pure: no IO. */
export function buildRoutes(
  releases: readonly Release[],
  pages: readonly Page[],
  navigation: readonly LocatedNavEntry[],
  options: RouteOptions,
  memo?: RouteMemo,
): Route[] {
  const shown = releases
    .map((release) => ({ release, status: publicationStatus(release, options.now) }))
    .filter(({ status }) => status === 'published' || options.includeDrafts)
    .sort((a, b) => newestFirst(a.release, b.release));
  const listed = shown.map(({ release }) => release);
  const latest = listed.slice(0, HOME_LATEST);
  const visiblePages = pages.filter((p) => !p.draft || options.includeDrafts);
  const pageByUrl = new Map(visiblePages.map((p) => [p.url, p]));
  // The first entry for a URL wins, as in the navigation itself.
  const navLabels = new Map(
    flatten(navigation)
      .reverse()
      .map((e) => [e.url, e.label]),
  );
  const label = (url: string): string => pageByUrl.get(url)?.title ?? navLabels.get(url) ?? url;

  const routes: Route[] = [];
  for (const { release, status } of shown) {
    routes.push(memo ? memo.release(release, status) : releaseRoute(release, status));
  }
  for (const page of visiblePages) {
    routes.push({
      kind: 'page',
      url: page.url,
      outputPath: outputPathFor(page.url),
      template: 'page.njk',
      title: page.title,
      description: page.summary,
      lang: page.lang,
      breadcrumbs: [
        HOME,
        ...ancestors(page.url).map((url) => ({ label: label(url), url })),
        { label: page.title, url: page.url },
      ],
      sources: [page.source],
      page,
      children: visiblePages.filter((p) => p.url !== page.url && ancestors(p.url).at(-1) === page.url),
    });
  }
  const newsPages = paginate(listed, NEWS_PER_PAGE, NEWS.url);
  for (const pagination of newsPages) {
    routes.push(memo ? memo.newsIndex(pagination, options) : newsIndexRoute(pagination, options));
  }
  memo?.trimNewsIndex(newsPages.length);
  routes.push({
    kind: 'home',
    lang: options.language,
    url: '/',
    outputPath: outputPathFor('/'),
    template: 'home.njk',
    title: options.siteTitle,
    description: undefined,
    breadcrumbs: [],
    sources: latest.map((r) => r.source),
    latest,
    sections: navigation.map((e) => ({ label: e.label, url: e.url, summary: pageByUrl.get(e.url)?.summary })),
  });
  routes.push({
    kind: 'not-found',
    lang: options.language,
    url: '/404.html',
    outputPath: '404.html',
    template: '404.njk',
    title: 'Page not found',
    description: undefined,
    breadcrumbs: [],
    sources: [],
  });
  return routes;
}
