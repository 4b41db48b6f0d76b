import type { ManifestDiff, Purge } from './diff.js';

/** The purge list for people: a count, then one URL path a line (indented). */
export function formatPurge(purge: Purge): string[] {
  const count = purge.paths.length;
  if (count === 0) return ['purge: nothing'];
  return [`purge ${count} path${count === 1 ? '' : 's'}:`, ...purge.paths.map((p) => `  ${p}`)];
}

/** `newsroom diff` for people: `+ path`, `~ path`, `- path`, a summary line, then the purge list. */
export function formatDiff(diff: ManifestDiff): string[] {
  return [
    ...diff.added.map((p) => `+ ${p}`),
    ...diff.changed.map((p) => `~ ${p}`),
    ...diff.removed.map((p) => `- ${p}`),
    `newsroom: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed, ${diff.unchanged} unchanged`,
    ...formatPurge(diff.purge),
  ];
}

/** `newsroom diff --json`: one object, `{ added, changed, removed, purge: { paths, urls } }`. */
export function diffJson(diff: ManifestDiff): string {
  const { added, changed, removed, purge } = diff;
  return JSON.stringify({ added, changed, removed, purge: { paths: purge.paths, urls: purge.urls } }, null, 2);
}
