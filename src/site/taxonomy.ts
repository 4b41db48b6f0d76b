import { compareText } from '../compare.js';
import type { Release } from '../content/release.js';
import type { TermKind } from '../content/translations.js';
import { type Diagnostic, error } from '../diagnostics.js';
import { slugify } from '../slug.js';

/** One theme, region or country, as written in front matter (in the site's default language). */
export interface Term {
  readonly kind: TermKind;
  readonly label: string;
  readonly slug: string;
  /** Its archive's path in the default language: `/themes/counter-trafficking/`. */
  readonly path: string;
}

/** Every term the releases are filed under, by kind and label. */
export interface Taxonomy {
  readonly themes: ReadonlyMap<string, Term>;
  readonly regions: ReadonlyMap<string, Term>;
  readonly countries: ReadonlyMap<string, Term>;
  /** A country's region, by country label. */
  readonly regionOf: ReadonlyMap<string, string>;
}

const NAMES: Record<TermKind, string> = { themes: 'theme', regions: 'region', countries: 'country' };

/** The terms of one release, by kind, with the line each is written on. */
function termsOf(release: Release): { kind: TermKind; label: string; line: number }[] {
  return [
    ...release.themes.map((label, i) => ({ kind: 'themes' as const, label, line: release.lines.themes[i] ?? 1 })),
    ...(release.region ? [{ kind: 'regions' as const, label: release.region, line: release.lines.region }] : []),
    ...(release.country ? [{ kind: 'countries' as const, label: release.country, line: release.lines.country }] : []),
  ];
}

/**
 * Collects the themes, regions and countries of `releases` (in source order, so the result does not depend on
 * dates). A term's slug comes from its label alone, so its URL is stable; two labels with one slug, a label with no
 * letters or digits, and a country filed under two regions are reported at the first release that writes them.
 */
export function collectTerms(releases: readonly Release[]): { taxonomy: Taxonomy; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const byKind = {
    themes: new Map<string, Term>(),
    regions: new Map<string, Term>(),
    countries: new Map<string, Term>(),
  };
  const slugOwners = new Map<string, { label: string; source: string }>();
  const reported = new Set<string>();
  const regionOf = new Map<string, { region: string; source: string }>();
  const ordered = [...releases].sort((a, b) => compareText(a.source, b.source));
  for (const release of ordered) {
    for (const { kind, label, line } of termsOf(release)) {
      const at = { line, column: 1 };
      if (byKind[kind].has(label)) continue;
      const slug = slugify(label);
      const key = `${kind}/${slug}`;
      const owner = slugOwners.get(key);
      // Each bad label is reported once, at the first release (in source order) that writes it.
      const refuse = (why: string) => {
        if (!reported.has(`${kind}:${label}`)) {
          diagnostics.push(error(release.source, at, `archive/${NAMES[kind]}`, `${NAMES[kind]} "${label}" ${why}`));
          reported.add(`${kind}:${label}`);
        }
      };
      if (!slug) {
        refuse('has no letters or digits to make its URL from: write it in words');
        continue;
      }
      if (owner && owner.label !== label) {
        refuse(
          `has the same URL /${kind}/${slug}/ as "${owner.label}" (in ${owner.source}): write it the same way in both`,
        );
        continue;
      }
      slugOwners.set(key, { label, source: release.source });
      byKind[kind].set(label, { kind, label, slug, path: `/${kind}/${slug}/` });
    }
    if (release.country && release.region) {
      const known = regionOf.get(release.country);
      if (!known) regionOf.set(release.country, { region: release.region, source: release.source });
      else if (known.region !== release.region && !reported.has(`region-of:${release.source}:${release.country}`)) {
        diagnostics.push(
          error(
            release.source,
            { line: release.lines.region, column: 1 },
            'archive/country-region',
            `${release.country} is filed under "${release.region}" here but under "${known.region}" in ${known.source}: a country belongs to one region`,
          ),
        );
        reported.add(`region-of:${release.source}:${release.country}`);
      }
    }
  }
  return {
    taxonomy: {
      ...byKind,
      regionOf: new Map([...regionOf].map(([country, { region }]) => [country, region])),
    },
    diagnostics,
  };
}
