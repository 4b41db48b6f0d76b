import { compareText } from '../compare.js';
import { sameStored } from './diff.js';
import {
  FILE_KINDS,
  type FileKind,
  MANIFEST_PATH,
  type Manifest,
  type ManifestEntry,
  RETAINED_PATH,
} from './manifest.js';

/** One object of the bucket listing, by its path under the prefix. */
export interface ListedObject {
  readonly size: number;
  /** S3 gives whole seconds. */
  readonly lastModified: Date | undefined;
}

/** What a HEAD request says about a stored object: its `sha256` metadata and the headers it is served with. */
export interface StoredObject {
  readonly sha256: string | undefined;
  readonly type: string | undefined;
  readonly cacheControl: string | undefined;
  readonly encoding: string | undefined;
}

/** What the bucket holds under the prefix, as read before a publish. */
export interface BucketState {
  /** The manifest the last finished publish stored; undefined before the first one (or when it is unreadable). */
  readonly manifest: Manifest | undefined;
  /** Its text, compared with the local one to skip uploading an equal manifest. */
  readonly manifestText: string | undefined;
  /** Every object under the prefix, by path relative to it (the manifest included). */
  readonly listing: ReadonlyMap<string, ListedObject>;
  /** The text of {@link RETAINED_PATH}, when there is one. */
  readonly retainedText: string | undefined;
}

/** The files of one kind to upload, sorted by path. */
export interface UploadGroup {
  readonly kind: FileKind;
  readonly files: readonly ManifestEntry[];
  readonly bytes: number;
}

/** What a publish does, in order: the groups (every kind, in `FILE_KINDS` order), the manifest, then deletes. */
export interface PublishPlan {
  readonly groups: readonly UploadGroup[];
  /** Whether the local manifest is uploaded (after every group). */
  readonly manifest: boolean;
  /** Paths under the prefix to delete last, sorted: everything the new manifest does not list, except `retained`. */
  readonly deletes: readonly string[];
  /**
   * Fingerprinted files the new build no longer has but the last publish served, sorted: kept for one more publish,
   * because pages readers and CDNs cached before this publish may still ask for them.
   */
  readonly retained: readonly string[];
  /** The text of {@link RETAINED_PATH} to upload before the manifest, or undefined when the stored one is right. */
  readonly retainedText: string | undefined;
  /** Local files already stored as they should be. */
  readonly unchanged: number;
  /** Files to upload, the manifest not counted, and their bytes. */
  readonly files: number;
  readonly bytes: number;
}

type Status = 'same' | 'upload' | 'check';

/**
 * Whether `entry` must be uploaded. The stored manifest is trusted for objects older than it: a finished publish
 * writes its manifest after every file, so an object newer than the manifest (or as new: S3 times are whole seconds)
 * may come from a publish that was interrupted, possibly of other bytes; those are checked with a HEAD request.
 */
function statusOf(entry: ManifestEntry, bucket: BucketState, recorded: Map<string, ManifestEntry>): Status {
  const listed = bucket.listing.get(entry.path);
  if (!listed || listed.size !== entry.size) return 'upload';
  const manifestTime = bucket.manifest ? bucket.listing.get(MANIFEST_PATH)?.lastModified : undefined;
  const was = recorded.get(entry.path);
  if (was && manifestTime && listed.lastModified && listed.lastModified < manifestTime) {
    return sameStored(was, entry) ? 'same' : 'upload';
  }
  return 'check';
}

function recordedFiles(bucket: BucketState): Map<string, ManifestEntry> {
  return new Map((bucket.manifest?.files ?? []).map((e) => [e.path, e]));
}

/** The local files whose stored copy the manifest cannot vouch for: HEAD them, then call `planPublish`. */
export function pathsToCheck(local: Manifest, bucket: BucketState): string[] {
  const recorded = recordedFiles(bucket);
  return local.files
    .filter((e) => statusOf(e, bucket, recorded) === 'check')
    .map((e) => e.path)
    .sort(compareText);
}

function storedAs(stored: StoredObject | undefined, entry: ManifestEntry): boolean {
  return (
    stored !== undefined &&
    stored.sha256 === entry.sha256 &&
    stored.type === entry.type &&
    stored.cacheControl === entry.cacheControl &&
    (stored.encoding ?? '') === (entry.encoding ?? '')
  );
}

/**
 * Plans a publish of the `local` build (whose manifest text is `localText`) over what the bucket holds. `checked`
 * has the HEAD answers for `pathsToCheck` (a missing answer means the object is gone).
 */
export function planPublish(
  local: Manifest,
  localText: string,
  bucket: BucketState,
  checked: ReadonlyMap<string, StoredObject> = new Map(),
): PublishPlan {
  const recorded = recordedFiles(bucket);
  const uploads = new Map<FileKind, ManifestEntry[]>(FILE_KINDS.map((kind) => [kind, []]));
  let unchanged = 0;
  for (const entry of local.files) {
    const status = statusOf(entry, bucket, recorded);
    const upload = status === 'upload' || (status === 'check' && !storedAs(checked.get(entry.path), entry));
    if (upload) uploads.get(entry.kind)?.push(entry);
    else unchanged++;
  }
  const groups = FILE_KINDS.map((kind) => {
    const files = (uploads.get(kind) ?? []).sort((a, b) => compareText(a.path, b.path));
    return { kind, files, bytes: files.reduce((sum, f) => sum + f.size, 0) };
  });
  const keep = new Set(local.files.map((e) => e.path));
  const retained = retainedFiles(localText, bucket, keep);
  const ours = new Set([MANIFEST_PATH, RETAINED_PATH, ...retained]);
  const deletes = [...bucket.listing.keys()].filter((p) => !ours.has(p) && !keep.has(p)).sort(compareText);
  const files = groups.reduce((sum, g) => sum + g.files.length, 0);
  const text = retainedTextOf(retained);
  return {
    groups,
    // After any upload the manifest goes up again, so it is newer than every file (see statusOf).
    manifest: files > 0 || bucket.manifestText !== localText,
    deletes,
    retained,
    retainedText: text === (bucket.retainedText ?? retainedTextOf([])) ? undefined : text,
    unchanged,
    files,
    bytes: groups.reduce((sum, g) => sum + g.bytes, 0),
  };
}

/** The text of {@link RETAINED_PATH} for `paths`. */
export function retainedTextOf(paths: readonly string[]): string {
  return `${JSON.stringify({ paths }, null, 1)}\n`;
}

/** The paths a stored {@link RETAINED_PATH} lists; none when it is missing or not ours. */
function storedRetained(text: string | undefined): string[] {
  if (text === undefined) return [];
  try {
    const data: unknown = JSON.parse(text);
    const paths = (data as { paths?: unknown }).paths;
    return Array.isArray(paths) ? paths.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * The fingerprinted files to keep one more publish: those the stored manifest lists (they were live until now) and
 * the new build lacks. A publish of the build already stored (a rerun after an interruption between the manifest
 * and the deletes) keeps what the stored list says instead, so it ends where an uninterrupted publish would have.
 */
function retainedFiles(localText: string, bucket: BucketState, keep: ReadonlySet<string>): string[] {
  const rerun = bucket.manifestText === localText;
  const candidates = rerun
    ? storedRetained(bucket.retainedText)
    : (bucket.manifest?.files ?? []).filter((e) => e.kind === 'fingerprinted').map((e) => e.path);
  return [...new Set(candidates)].filter((p) => !keep.has(p) && bucket.listing.has(p)).sort(compareText);
}

/** Why the plan must not run: more deletes than `maxDeletes` without `force`; undefined when it may. */
export function deleteRefusal(
  plan: PublishPlan,
  maxDeletes: number,
  force: boolean,
  where: string,
): string | undefined {
  const count = plan.deletes.length;
  if (force || count <= maxDeletes) return undefined;
  return `refusing to delete ${count} objects under ${where}, more than --max-deletes ${maxDeletes}: pass --force to delete them, or --max-deletes ${count}`;
}
