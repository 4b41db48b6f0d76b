import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compareText } from '../compare.js';
import { diffManifests, type ManifestDiff, type Purge } from './diff.js';
import {
  MANIFEST_PATH,
  type Manifest,
  ManifestError,
  parseManifest,
  RETAINED_PATH,
  readManifestFile,
  sha256Of,
} from './manifest.js';
import {
  type BucketState,
  deleteRefusal,
  type PublishPlan,
  pathsToCheck,
  planPublish,
  type StoredObject,
} from './plan.js';
import { groupName } from './plan-report.js';
import type { PublishProgress } from './progress.js';
import { PublishError } from './publish-error.js';
import { runLimited } from './run-limited.js';
import { formatS3Target } from './s3-target.js';
import { type BucketOptions, SiteBucket } from './site-bucket.js';

/** Where the purge list of the last publish is written, relative to the output directory. */
export const PURGE_PATH = '.newsroom/purge.json';

/** A resolved `newsroom publish` command line. */
export interface PublishOptions extends BucketOptions {
  /** The built output directory, with `.newsroom/manifest.json`. */
  readonly outDir: string;
  /** Read the bucket and plan, write nothing. */
  readonly dryRun: boolean;
  /** Refuse (unless `force`) to delete more objects than this. */
  readonly maxDeletes: number;
  readonly force: boolean;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Publish a `--drafts` preview build on purpose (a staging bucket). */
  readonly drafts: boolean;
}

/** What a publish did, or, with `dryRun`, would do. */
export interface PublishResult {
  readonly plan: PublishPlan;
  /** The stored manifest against the local one: what changed for readers, and the purge list. */
  readonly diff: ManifestDiff;
  /** With `dryRun`: why the real publish would refuse (too many deletes). */
  readonly refusal: string | undefined;
  /** The purge list file written, or undefined for a dry run. */
  readonly purgeFile: string | undefined;
  /** What the CDN must forget after this publish (the diff's purge list, or more: see {@link purgeListOf}). */
  readonly purge: Purge;
}

/** Where a publish stands, for what a failure message says about the bucket. */
type Phase = 'read' | 'upload' | 'delete' | 'done';

const AFTERMATH: Record<Phase, string> = {
  read: 'nothing was uploaded or deleted',
  upload: 'the bucket keeps its previous manifest: run publish again to finish the job',
  delete: 'the new site is live: run publish again to delete what is left',
  done: 'the site is published',
};

/** Output paths come from our build, but a manifest is a file: never upload from outside the output directory. */
function checkPaths(manifest: Manifest, file: string): void {
  for (const entry of manifest.files) {
    const segments = entry.path.split('/');
    if (entry.path.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw new ManifestError(`${file} lists "${entry.path}", which is not a path inside the output directory`);
    }
  }
}

/** Writes a file through a temporary name, so a reader never sees half of it. */
async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

/** What the bucket holds: the stored manifest (an unreadable one is reported and ignored) and the listing. */
async function readBucket(bucket: SiteBucket, where: string, progress: PublishProgress): Promise<BucketState> {
  const [text, retainedText, listing] = await Promise.all([
    bucket.read(MANIFEST_PATH),
    bucket.read(RETAINED_PATH),
    bucket.list(),
  ]);
  let manifest: Manifest | undefined;
  try {
    manifest = text === undefined ? undefined : parseManifest(text, `${where}${MANIFEST_PATH}`);
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    progress.warn(`${error.message}; publishing as if for the first time`);
  }
  return { manifest, manifestText: text, listing, retainedText };
}

/** The purge list file: the list, and the manifest (its SHA-256) whose publish it is for. */
interface PurgeFile extends Purge {
  readonly manifest: string;
}

/**
 * The purge list of a publish of the manifest `localText`: the diff's, plus, when the bucket already stores this
 * very manifest (a rerun after a publish that stopped during its deletes, whose diff is now empty), the list that
 * publish wrote for it. So a rerun still hands the CDN everything the interrupted publish changed.
 */
async function purgeListOf(file: string, localText: string, stored: boolean, purge: Purge): Promise<PurgeFile> {
  const manifest = sha256Of(localText);
  let paths = purge.paths;
  let urls = purge.urls;
  if (stored) {
    const earlier = await readFile(file, 'utf8').then(
      (text) => JSON.parse(text) as Partial<PurgeFile>,
      () => undefined,
    );
    if (earlier?.manifest === manifest && Array.isArray(earlier.paths) && Array.isArray(earlier.urls)) {
      paths = [...new Set([...earlier.paths, ...paths])].sort(compareText);
      urls = [...new Set([...earlier.urls, ...urls])].sort(compareText);
    }
  }
  return { paths, urls, manifest };
}

/** Every file to upload must be there as built before the first request that changes the bucket. */
async function checkFiles(outDir: string, plan: PublishPlan): Promise<void> {
  await runLimited(
    plan.groups.flatMap((g) => g.files),
    32,
    async (entry) => {
      const file = path.join(outDir, entry.path);
      const info = await stat(file).catch(() => undefined);
      if (info?.size !== entry.size) {
        const what = info ? 'not the file the build wrote' : 'missing';
        throw new PublishError(`${file} is ${what}: build again, then publish`);
      }
    },
  );
}

/** Publishes the built output to the bucket: changed files by kind, the manifest, then deletes. */
export async function publish(options: PublishOptions, progress: PublishProgress): Promise<PublishResult> {
  const { outDir } = options;
  const manifestFile = path.join(outDir, MANIFEST_PATH);
  const { manifest: local, text: localText } = await readManifestFile(manifestFile);
  checkPaths(local, manifestFile);
  if (local.drafts && !options.drafts) {
    throw new PublishError(
      `${outDir} is a --drafts preview: it shows drafts and embargoed releases. Build without --drafts to publish, or pass --drafts to publish this preview on purpose (to a staging bucket); nothing was uploaded or deleted`,
    );
  }
  const where = formatS3Target(options.target);
  const bucket = new SiteBucket(options);
  let phase: Phase = 'read';
  try {
    const state = await readBucket(bucket, where, progress);
    const toCheck = pathsToCheck(local, state);
    const checked = new Map<string, StoredObject>();
    if (toCheck.length > 0) {
      progress.checking(toCheck.length);
      await runLimited(toCheck, options.concurrency, async (file) => {
        const found = await bucket.head(file);
        if (found) checked.set(file, found);
      });
    }
    const plan = planPublish(local, localText, state, checked);
    const diff = diffManifests(state.manifest, local);
    const refusal = deleteRefusal(plan, options.maxDeletes, options.force, where);
    if (options.dryRun) return { plan, diff, refusal, purgeFile: undefined, purge: diff.purge };
    if (refusal) throw new PublishError(refusal);
    await checkFiles(outDir, plan);
    // Written before the first upload, so a publish that stops half-way leaves the list its rerun needs.
    const purgeFile = path.join(outDir, PURGE_PATH);
    const purge = await purgeListOf(purgeFile, localText, state.manifestText === localText, diff.purge);
    await writeAtomically(purgeFile, `${JSON.stringify(purge, null, 1)}\n`).catch((cause: NodeJS.ErrnoException) => {
      throw new PublishError(`cannot write the purge list ${purgeFile} (${cause.code})`, { cause });
    });

    phase = 'upload';
    progress.start(plan.files, plan.bytes);
    for (const group of plan.groups) {
      if (group.files.length === 0) continue;
      progress.group(groupName(group.kind, group.files.length), group.bytes);
      await runLimited(group.files, options.concurrency, async (entry) => {
        const file = path.join(outDir, entry.path);
        const body = await readFile(file).catch((cause: NodeJS.ErrnoException) => {
          throw new PublishError(`cannot read ${file} (${cause.code}): build again, then publish`, { cause });
        });
        if (sha256Of(body) !== entry.sha256) {
          throw new PublishError(`${file} changed since the build (its SHA-256 is not the manifest's): build again`);
        }
        await bucket.put(entry.path, body, entry);
        progress.uploaded(entry.size);
      });
    }
    // Before the manifest: a rerun that finds the new manifest stored reads which old files to keep from here.
    if (plan.retainedText !== undefined) {
      const body = Buffer.from(plan.retainedText, 'utf8');
      await bucket.put(RETAINED_PATH, body, { type: 'application/json', cacheControl: 'no-cache' });
    }
    if (plan.manifest) {
      progress.manifest();
      const body = Buffer.from(localText, 'utf8');
      await bucket.put(MANIFEST_PATH, body, { type: 'application/json', cacheControl: 'no-cache' });
    }

    phase = 'delete';
    if (plan.deletes.length > 0) {
      progress.deleting(plan.deletes.length);
      await bucket.delete(plan.deletes);
    }

    phase = 'done';
    return { plan, diff, refusal: undefined, purgeFile, purge: { paths: purge.paths, urls: purge.urls } };
  } catch (error) {
    if (error instanceof PublishError) {
      throw new PublishError(`${error.message}; ${AFTERMATH[phase]}`, { cause: error.cause });
    }
    throw error;
  } finally {
    progress.end();
    bucket.close();
  }
}
