import type { Page } from '../content/page.js';
import type { Release } from '../content/release.js';
import type { LocatedNavEntry } from '../content/site-data.js';
import { type Diagnostic, error } from '../diagnostics.js';
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

/** Turns loaded content into the list of pages to render. Pure: no IO. */
export function buildRoutes(
  releases: readonly Release[],
  pages: readonly Page[],
  navigation: readonly LocatedNavEntry[],
  options: RouteOptions,
): Route[] {
  const shown = releases
    .map((release) => ({ release, status: publicationStatus(release, options.now) }))
    .filter(({ status }) => status === 'published' || options.includeDrafts)
    .sort((a, b) => newestFirst(a.release, b.release));
  const listed = shown.map(({ release }) => release);
  const visiblePages = pages.filter((p) => !p.draft || options.includeDrafts);
  const pageByUrl = new Map(visiblePages.map((p) => [p.url, p]));
  const label = (url: string): string =>
    pageByUrl.get(url)?.title ?? flatten(navigation).find((e) => e.url === url)?.label ?? url;

  const routes: Route[] = [];
  for (const { release, status } of shown) {
    routes.push({
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
    });
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
  for (const pagination of paginate(listed, NEWS_PER_PAGE, NEWS.url)) {
    const title = pagination.number === 1 ? 'News' : `News, page ${pagination.number} of ${pagination.total}`;
    routes.push({
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
    });
  }
  routes.push({
    kind: 'home',
    lang: options.language,
    url: '/',
    outputPath: outputPathFor('/'),
    template: 'home.njk',
    title: options.siteTitle,
    description: undefined,
    breadcrumbs: [],
    sources: listed.slice(0, HOME_LATEST).map((r) => r.source),
    latest: listed.slice(0, HOME_LATEST),
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

/** Who claims an output path: a source file (with the line to point at) or the generator itself. */
interface Claim {
  readonly file: string | undefined;
  readonly line: number;
  readonly what: string;
}

function claimOf(route: Route): Claim {
  switch (route.kind) {
    case 'release':
      return { file: route.release.source, line: route.release.slugLine, what: route.release.source };
    case 'page':
      return { file: route.page.source, line: 1, what: route.page.source };
    case 'news-index':
      return { file: undefined, line: 1, what: 'the news index' };
    case 'home':
      return { file: undefined, line: 1, what: 'the home page' };
    case 'not-found':
      return { file: undefined, line: 1, what: 'the 404 page' };
  }
}

/**
 * Finds output paths claimed twice (two releases with one slug, a page over a generated page, a public/ file over a
 * page) and reports each clash on every source file involved, naming the other.
 */
export function findClashes(routes: readonly Route[], assetPaths: readonly string[]): Diagnostic[] {
  const claims = new Map<string, Claim[]>();
  const add = (outputPath: string, claim: Claim) => claims.set(outputPath, [...(claims.get(outputPath) ?? []), claim]);
  for (const route of routes) add(route.outputPath, claimOf(route));
  for (const asset of assetPaths) add(asset, { file: `public/${asset}`, line: 1, what: `public/${asset}` });
  const diagnostics: Diagnostic[] = [];
  for (const [outputPath, list] of claims) {
    if (list.length < 2) continue;
    for (const claim of list) {
      if (!claim.file) continue;
      const others = list
        .filter((c) => c !== claim)
        .map((c) => c.what)
        .join(' and ');
      diagnostics.push(
        error(
          claim.file,
          { line: claim.line, column: 1 },
          'routes/duplicate-url',
          `${outputPath} is also produced by ${others}: give one of them another slug or path`,
        ),
      );
    }
  }
  return diagnostics;
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
