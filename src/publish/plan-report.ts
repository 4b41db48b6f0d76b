import type { Purge } from './diff.js';
import { formatPurge } from './diff-report.js';
import type { FileKind } from './manifest.js';
import type { PublishPlan } from './plan.js';
import { formatBytes } from './progress.js';

const NOUNS: Record<FileKind, readonly [string, string]> = {
  fingerprinted: ['fingerprinted asset', 'fingerprinted assets'],
  file: ['other file', 'other files'],
  page: ['page', 'pages'],
  feed: ['feed or sitemap', 'feeds and sitemaps'],
};

/** A count of files of one kind: `1 page`, `3 fingerprinted assets`. */
export function groupName(kind: FileKind, count: number): string {
  return `${count} ${NOUNS[kind][count === 1 ? 0 : 1]}`;
}

/** `publish --dry-run`: each step with its counts and bytes, the deletes one a line, then the purge list. */
export function formatPlan(plan: PublishPlan, purge: Purge, where: string, refusal: string | undefined): string[] {
  const deletes = plan.deletes.length;
  return [
    `newsroom: dry run of a publish to ${where} (nothing is written)`,
    ...plan.groups.map((g) => `  upload ${groupName(g.kind, g.files.length)} (${formatBytes(g.bytes)})`),
    plan.manifest ? '  upload the manifest' : '  keep the manifest (unchanged)',
    `  delete ${deletes} object${deletes === 1 ? '' : 's'}${refusal ? ' (refused: see below)' : ''}`,
    ...plan.deletes.map((p) => `    - ${p}`),
    ...(plan.retained.length
      ? [
          `  keep ${plan.retained.length} old fingerprinted file${plan.retained.length === 1 ? '' : 's'} for one more publish`,
        ]
      : []),
    `  keep ${plan.unchanged} file${plan.unchanged === 1 ? '' : 's'} unchanged`,
    ...formatPurge(purge),
  ];
}

/** The line a finished publish ends with. */
export function formatPublished(plan: PublishPlan, where: string): string {
  return `newsroom: published ${plan.files} file${plan.files === 1 ? '' : 's'} (${formatBytes(plan.bytes)}), deleted ${plan.deletes.length}, unchanged ${plan.unchanged} to ${where}`;
}
