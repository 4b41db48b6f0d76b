import type { Release } from '../content/release.js';
import type { RedirectRoute } from './routes.js';
import { outputPathFor } from './urls.js';

/**
 * A redirect page for every alias of the releases shown: the old URL answers with a small page that sends readers
 * (and search engines, through its canonical link) to the release. `_redirects` carries the same moves for CDNs
 * that read it.
 */
export function aliasRoutes(shown: readonly Release[]): RedirectRoute[] {
  const routes: RedirectRoute[] = [];
  for (const release of shown) {
    for (const [i, url] of release.aliases.entries()) {
      routes.push({
        kind: 'redirect',
        url,
        outputPath: outputPathFor(url),
        template: '',
        title: release.title,
        description: release.summary,
        lang: release.lang,
        breadcrumbs: [],
        sources: [release.source],
        alternates: [],
        target: release.url,
        release,
        line: release.lines.aliases[i] ?? 1,
      });
    }
  }
  return routes;
}
