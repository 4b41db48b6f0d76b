import { compareText } from '../compare.js';
import type { Release } from '../content/release.js';
import { type Diagnostic, warning } from '../diagnostics.js';

/** Why a release is or is not on the public site at a given moment. */
export type PublicationStatus = 'published' | 'draft' | 'embargoed';

/** The status of a release at `now`: drafts stay drafts, embargoed ones wait until their embargo has passed. */
export function publicationStatus(release: Release, now: Date): PublicationStatus {
  if (release.draft) return 'draft';
  if (release.embargo !== undefined && Date.parse(release.embargo) > now.getTime()) return 'embargoed';
  return 'published';
}

/** Orders releases newest first; equal times fall back to the slug so output is stable. */
export function newestFirst(a: Release, b: Release): number {
  return b.timestamp - a.timestamp || compareText(a.slug, b.slug);
}

/**
 * When the next build should run: the earliest embargo still in the future among releases that are not drafts,
 * as an ISO 8601 UTC instant (offsets compared as instants), or null when none waits.
 */
export function nextEmbargo(releases: readonly Release[], now: Date): string | null {
  let next: number | undefined;
  for (const release of releases) {
    if (release.draft || release.embargo === undefined) continue;
    const at = Date.parse(release.embargo);
    if (at > now.getTime() && (next === undefined || at < next)) next = at;
  }
  return next === undefined ? null : new Date(next).toISOString();
}

/** Releases published now although dated in the future, with no embargo to hold them: likely a mistake. */
export function futureDateWarnings(releases: readonly Release[], now: Date): Diagnostic[] {
  return releases
    .filter((r) => !r.draft && r.embargo === undefined && r.timestamp > now.getTime())
    .map((r) =>
      warning(
        r.source,
        { line: r.lines.date, column: 1 },
        'publication/future-date',
        `date ${r.date} is in the future but there is no embargo, so the release is published now: add embargo: ${embargoExample(r.date)} to hold it until then, or fix the date`,
      ),
    );
}

/** An embargo value for the start of a date: `2026-12-01` -> `2026-12-01T00:00:00Z`. */
const embargoExample = (date: string): string => (date.length === 10 ? `${date}T00:00:00Z` : date);
