import { toHtml } from 'hast-util-to-html';
import type { SiteLinks } from '../site/links.js';
import type { RedirectRoute } from '../site/routes.js';

const text = (value: string): string => toHtml({ type: 'text', value });
const attribute = (value: string): string => value.replaceAll('&', '&amp;').replaceAll('"', '&quot;');

/**
 * The page at a release's old URL: an immediate refresh to the release, a canonical link so search engines move
 * their index to it, `noindex` for the old address itself, and a plain link for anyone whose browser stays.
 */
export function renderRedirectPage(route: RedirectRoute, links: SiteLinks): string {
  const href = attribute(links.href(route.target));
  const canonical = attribute(links.absolute(route.target));
  return [
    '<!doctype html>',
    `<html lang="${attribute(route.lang)}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<title>${text(route.title)}</title>`,
    `<link rel="canonical" href="${canonical}">`,
    '<meta name="robots" content="noindex">',
    `<meta http-equiv="refresh" content="0; url=${href}">`,
    '</head>',
    '<body>',
    `<p><a href="${href}">${text(route.title)}</a></p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
