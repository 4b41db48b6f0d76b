import { compareText } from '../compare.js';
import type { Release } from '../content/release.js';

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
