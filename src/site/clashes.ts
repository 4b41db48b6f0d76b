import { type Diagnostic, error } from '../diagnostics.js';
import type { Route } from './routes.js';

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
    case 'listing':
      return {
        file: undefined,
        line: 1,
        what: `the ${route.listing === 'news' ? 'news' : route.listing} listing ${route.url}`,
      };
    case 'terms':
      return { file: undefined, line: 1, what: `the index of ${route.terms} ${route.url}` };
    case 'feed':
      return { file: undefined, line: 1, what: `the feed ${route.url}` };
    case 'redirect':
      return { file: route.release.source, line: route.line, what: `${route.release.source} (alias ${route.url})` };
    case 'home':
    case 'search':
    case 'not-found':
    case 'sitemap':
    case 'robots':
      return { file: undefined, line: 1, what: `the generated page ${route.url}` };
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
