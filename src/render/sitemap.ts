import type { RobotsRoute, SitemapRoute } from '../site/routes.js';
import { absoluteUrl } from '../site/urls.js';

/** Escapes text for XML content and attribute values. */
function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Renders a sitemap (https://www.sitemaps.org/protocol.html) with `xhtml:link` hreflang alternates for each
 * page's translations (https://developers.google.com/search/docs/specialty/international/localized-versions),
 * or a sitemap index.
 */
export function renderSitemap(route: SitemapRoute, baseUrl: string): string {
  const url = (path: string) => xml(absoluteUrl(baseUrl, path));
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  if (route.sitemaps.length > 0) {
    lines.push('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">');
    for (const sitemap of route.sitemaps) {
      const lastmod = sitemap.lastmod ? `<lastmod>${xml(sitemap.lastmod)}</lastmod>` : '';
      lines.push(`<sitemap><loc>${url(sitemap.url)}</loc>${lastmod}</sitemap>`);
    }
    lines.push('</sitemapindex>');
    return `${lines.join('\n')}\n`;
  }
  lines.push('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">');
  for (const entry of route.entries) {
    const parts = [`<loc>${url(entry.url)}</loc>`];
    if (entry.lastmod) parts.push(`<lastmod>${xml(entry.lastmod)}</lastmod>`);
    for (const alternate of entry.alternates) {
      parts.push(`<xhtml:link rel="alternate" hreflang="${xml(alternate.lang)}" href="${url(alternate.url)}"/>`);
    }
    lines.push(`<url>${parts.join('')}</url>`);
  }
  lines.push('</urlset>');
  return `${lines.join('\n')}\n`;
}

/** robots.txt: everything open and the sitemap named; a preview build (drafts shown) closed to every crawler. */
export function renderRobots(route: RobotsRoute, baseUrl: string): string {
  if (route.preview) return 'User-agent: *\nDisallow: /\n';
  return `User-agent: *\nAllow: /\n\nSitemap: ${absoluteUrl(baseUrl, route.sitemap)}\n`;
}
