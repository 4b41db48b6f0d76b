import type { Release } from '../content/release.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Route } from './routes.js';

/** What the routes stage made, kept by a long-lived process for the next build (see {@link reuseRoutes}). */
export interface RoutedSite {
  /** A hash of every input of the routes stage other than the releases and `now` (see `routeInputs`). */
  readonly key: string;
  readonly releases: readonly Release[];
  readonly routes: readonly Route[];
  /** The diagnostics of the routes stage (dates, terms, translations, clashes, navigation). */
  readonly diagnostics: readonly Diagnostic[];
  /** Where `now` may be without a release changing status or a date warning changing: `[from, until)`. */
  readonly from: number | null;
  readonly until: number | null;
}

/** A release's value without its body: what every route but its own page and the feeds are made from. */
const withoutBody = (release: Release): string => JSON.stringify({ ...release, html: '', htmlKey: undefined });

/**
 * The routes of a build whose only change since `last` is the text of release bodies, made from the last build's
 * routes: each route holding a changed release (its page, its redirects, the feeds listing it) gets the new one, and
 * every other route is the same object as before. Undefined when anything else changed (another input of the
 * routes stage, a release's front matter, a release added, removed or moved, or `now` past an embargo or a date):
 * then the routes must be made again. An editor's most common save, a correction in a body, so costs no routing.
 */
export function reuseRoutes(
  last: RoutedSite | undefined,
  key: string,
  releases: readonly Release[],
  now: Date,
): { routes: Route[]; diagnostics: readonly Diagnostic[] } | undefined {
  if (!last || last.key !== key || last.releases.length !== releases.length) return undefined;
  const time = now.getTime();
  if ((last.from !== null && time < last.from) || (last.until !== null && time >= last.until)) return undefined;
  const replaced = new Map<Release, Release>();
  for (const [i, release] of releases.entries()) {
    const before = last.releases[i];
    if (before === release) continue;
    if (!before || before.source !== release.source || withoutBody(before) !== withoutBody(release)) return undefined;
    replaced.set(before, release);
  }
  const routes = last.routes.map((route): Route => {
    if (replaced.size === 0) return route;
    if (route.kind === 'release' || route.kind === 'redirect') {
      const next = replaced.get(route.release);
      return next ? { ...route, release: next } : route;
    }
    if (route.kind === 'feed' && route.items.some((item) => replaced.has(item))) {
      return { ...route, items: route.items.map((item) => replaced.get(item) ?? item) };
    }
    return route;
  });
  return { routes, diagnostics: last.diagnostics };
}
