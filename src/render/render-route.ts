import type nunjucks from 'nunjucks';
import type { LocatedNavEntry, SiteConfig } from '../content/site-data.js';
import type { Diagnostic } from '../diagnostics.js';
import { markCurrent } from '../site/navigation.js';
import type { ReleaseRoute, Route } from '../site/routes.js';
import { absoluteUrl } from '../site/urls.js';
import { templateDiagnostic } from './template-error.js';

/** The schema.org NewsArticle for a release, as data for a JSON-LD block. */
export function newsArticle(route: ReleaseRoute, site: SiteConfig): Record<string, unknown> {
  const { release } = route;
  const organisation = { '@type': 'Organization', name: site.organisation.name, url: site.organisation.url };
  return {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    headline: release.title,
    datePublished: release.date,
    dateModified: release.date,
    inLanguage: release.lang,
    mainEntityOfPage: absoluteUrl(site.baseUrl, release.url),
    ...(release.summary ? { description: release.summary } : {}),
    ...(release.image
      ? {
          image: [release.image.src.startsWith('/') ? absoluteUrl(site.baseUrl, release.image.src) : release.image.src],
        }
      : {}),
    ...(release.location ? { locationCreated: { '@type': 'Place', name: release.location } } : {}),
    author: organisation,
    publisher: organisation,
  };
}

/** What every template sees. */
export interface TemplateContext {
  readonly site: SiteConfig;
  readonly nav: ReturnType<typeof markCurrent>;
  readonly route: Route;
  readonly canonical: string;
  readonly jsonLd: Record<string, unknown> | undefined;
}

/** Renders one route to HTML, or returns the template problem as a diagnostic. */
export function renderRoute(
  env: nunjucks.Environment,
  route: Route,
  site: SiteConfig,
  navigation: readonly LocatedNavEntry[],
  root: string,
): { html: string | undefined; diagnostic: Diagnostic | undefined } {
  const context: TemplateContext = {
    site,
    nav: markCurrent(navigation, route.url),
    route,
    canonical: absoluteUrl(site.baseUrl, route.url),
    jsonLd: route.kind === 'release' ? newsArticle(route, site) : undefined,
  };
  try {
    const html: unknown = env.render(route.template, context);
    // Nunjucks returns null instead of throwing when part of a render went asynchronous: never write that.
    if (typeof html !== 'string') throw new Error(`${route.template} did not finish rendering`);
    return { html, diagnostic: undefined };
  } catch (cause) {
    return { html: undefined, diagnostic: templateDiagnostic(cause, root, `templates/${route.template}`) };
  }
}
