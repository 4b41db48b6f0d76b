import { compareText } from '../compare.js';
import type { SiteLinks } from '../site/links.js';

/** A move from an old URL to a page, from a release's `aliases`. */
export interface Move {
  readonly from: string;
  readonly to: string;
}

/**
 * The `_redirects` file (the format Netlify and Cloudflare Pages read): every alias moved permanently (301) to its
 * release, then each language's unknown URLs answered with that language's 404 page (`/fr/*` -> `/fr/404.html`),
 * the default language's last. Rules for paths that exist are not applied (both services serve the file), so the
 * 404 rules catch only what is missing.
 */
export function redirectsFile(moves: readonly Move[], languages: readonly string[], links: SiteLinks): string {
  const lines = ["# Written by Newsroom: moved releases (aliases), then each language's page-not-found."];
  const sorted = [...moves].sort((a, b) => compareText(a.from, b.from));
  for (const move of sorted) lines.push(`${links.href(move.from)} ${links.href(move.to)} 301`);
  const [main, ...others] = languages;
  for (const lang of others) lines.push(`${links.href(`/${lang}/*`)} ${links.href(`/${lang}/404.html`)} 404`);
  if (main !== undefined) lines.push(`${links.href('/*')} ${links.href('/404.html')} 404`);
  return `${lines.join('\n')}\n`;
}
