import type nunjucks from 'nunjucks';
import { languagePrefix } from '../content/release.js';
import type { SiteConfig } from '../content/site-data.js';
import type { Translations } from '../content/translations.js';
import type { Diagnostic } from '../diagnostics.js';
import { recordingLinks, type SiteLinks } from '../site/links.js';
import { type LocalNavEntry, markCurrent } from '../site/navigation.js';
import type { ReleaseRoute, Route } from '../site/routes.js';
import { renderFeed } from './feeds.js';
import { renderRedirectPage } from './redirect-page.js';
import { rewriteLinks } from './rewrite-links.js';
import { renderRobots, renderSitemap } from './sitemap.js';
import { templateDiagnostic } from './template-error.js';

/** Everything rendering needs besides the route: the same for every page of a build. */
export interface RenderContext {
  readonly site: SiteConfig;
  readonly translations: Translations;
  /** The navigation in each language. */
  readonly navigation: ReadonlyMap<string, readonly LocalNavEntry[]>;
  readonly root: string;
  /** A preview build (drafts shown): pages ask search engines not to index them. */
  readonly preview: boolean;
  /** How URLs are written: base path prefix and fingerprinted asset names. */
  readonly links: SiteLinks;
}

/**
 * A rendered route: its text (as UTF-8 bytes when a worker thread rendered it, see `RenderedBatch`), or the
 * template problem; and the fingerprinted public/ files it refers to.
 */
export interface RenderedRoute<Text extends string | Uint8Array = string> {
  readonly html: Text | undefined;
  readonly diagnostic: Diagnostic | undefined;
  readonly assets: readonly string[];
}

/**
 * The schema.org NewsArticle for a release, as data for a JSON-LD block: the properties Google lists for Article
 * rich results (headline, image, datePublished, dateModified, author with name and url) and the rest a newsroom
 * has (publisher, locationCreated from the dateline, inLanguage).
 */
export function newsArticle(
  route: ReleaseRoute,
  context: RenderContext,
  url: (path: string) => string = context.links.absolute,
): Record<string, unknown> {
  const { release } = route;
  const { site, translations } = context;
  const organisation = {
    '@type': 'Organization',
    name: translations.t(release.lang, 'organisationName'),
    ...(site.organisation.url ? { url: site.organisation.url } : {}),
    ...(site.image ? { logo: { '@type': 'ImageObject', url: url(site.image) } } : {}),
  };
  const image = release.image?.src ?? site.image;
  const source = route.alternates.find((a) => a.lang === translations.defaultLanguage && a.url !== release.url);
  return {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    headline: release.title,
    ...(release.summary ? { description: release.summary } : {}),
    ...(image ? { image: [url(image)] } : {}),
    datePublished: release.date,
    dateModified: release.updated,
    inLanguage: release.lang,
    url: url(release.url),
    mainEntityOfPage: { '@type': 'WebPage', '@id': url(release.url) },
    ...(release.location
      ? {
          locationCreated: {
            '@type': 'Place',
            name: release.location,
            address: {
              '@type': 'PostalAddress',
              addressLocality: release.location,
              ...(release.country ? { addressCountry: release.country } : {}),
            },
          },
        }
      : {}),
    ...(release.themes.length ? { keywords: release.themes.join(', ') } : {}),
    author: organisation,
    publisher: organisation,
    ...(source ? { translationOfWork: { '@type': 'NewsArticle', '@id': url(source.url) } } : {}),
  };
}

/** The Open Graph locale of a language (`fr` -> `fr_FR`, from the translations file's locale). */
function ogLocale(translations: Translations, lang: string): string {
  return translations.locale(lang).replace('-', '_');
}

/** Renders one route to its file's text, or returns the template problem as a diagnostic. */
export function renderRoute(env: nunjucks.Environment, route: Route, context: RenderContext): RenderedRoute {
  const { site, translations, links } = context;
  // Feeds, sitemaps and robots.txt are written by the generator, not by templates. The one string a feed asks of
  // the translations (organisationName) is required, so loading them already made sure it is there.
  switch (route.kind) {
    case 'feed': {
      const feed = renderFeed(route, site, translations, links);
      return { html: feed.text, diagnostic: undefined, assets: feed.assets };
    }
    case 'sitemap':
      return { html: renderSitemap(route, site.baseUrl), diagnostic: undefined, assets: [] };
    case 'robots':
      return { html: renderRobots(route, site.baseUrl), diagnostic: undefined, assets: [] };
    case 'redirect':
      return { html: renderRedirectPage(route, links), diagnostic: undefined, assets: [] };
    default:
      break;
  }
  const lang = route.lang;
  const recorder = recordingLinks(links);
  const url = recorder.absolute;
  const image = route.kind === 'release' && route.release.image ? route.release.image : undefined;
  const shareImage = image?.src ?? site.image;
  const local = (path: string) => `${languagePrefix(lang, translations.defaultLanguage)}${path}`;
  const templateContext = {
    site,
    route,
    lang,
    preview: context.preview,
    urls: {
      home: local('/'),
      news: local('/news/'),
      search: local('/search/'),
      themes: local('/themes/'),
      regions: local('/regions/'),
      countries: local('/countries/'),
      years: local('/news/archive/'),
      feeds: { rss: local('/news/feed.xml'), atom: local('/news/atom.xml'), json: local('/news/feed.json') },
    },
    locale: translations.locale(lang),
    organisation: translations.t(lang, 'organisationName'),
    nav: markCurrent(context.navigation.get(lang) ?? [], route.url),
    canonical: url(route.url),
    // The switcher is on every page; a page with no other version offers just its own language.
    languages: (route.alternates.length ? route.alternates : [{ lang, url: route.url }]).map((a) => ({
      lang: a.lang,
      url: a.url,
      name: translations.name(a.lang),
      current: a.lang === lang,
      absolute: url(a.url),
    })),
    alternates: route.alternates.map((a) => ({ lang: a.lang, absolute: url(a.url) })),
    defaultAlternate: route.alternates.find((a) => a.lang === translations.defaultLanguage),
    share: {
      type: route.kind === 'release' ? 'article' : 'website',
      image: shareImage ? url(shareImage) : undefined,
      imageAlt: image?.alt,
      locale: ogLocale(translations, lang),
      alternateLocales: route.alternates.filter((a) => a.lang !== lang).map((a) => ogLocale(translations, a.lang)),
    },
    jsonLd: route.kind === 'release' ? newsArticle(route, context, url) : undefined,
    absolute: url,
    t: (key: string, params?: Record<string, unknown>) => translations.t(lang, key, params),
    term: (kind: 'themes' | 'regions' | 'countries', label: string) => translations.term(lang, kind, label),
  };
  try {
    const html: unknown = env.render(route.template, templateContext);
    // Nunjucks returns null instead of throwing when part of a render went asynchronous: never write that.
    if (typeof html !== 'string') throw new Error(`${route.template} did not finish rendering`);
    const rewritten = rewriteLinks(html, route.url, links);
    return { html: rewritten.html, diagnostic: undefined, assets: [...recorder.assets, ...rewritten.assets] };
  } catch (cause) {
    return {
      html: undefined,
      diagnostic: templateDiagnostic(cause, context.root, `templates/${route.template}`),
      assets: [],
    };
  }
}
