/**
 * Where a site is published: a bucket and a key prefix. The prefix belongs to the site: `publish` deletes every
 * object under it that the site does not have.
 */
export interface S3Target {
  readonly bucket: string;
  /** Key prefix without leading or trailing slash: `newsroom`, `sites/en`; empty for the whole bucket. */
  readonly prefix: string;
}

/** An `s3://` URL that cannot name a publishing target. */
export class S3TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'S3TargetError';
  }
}

// S3's rules for new buckets (3 to 63 characters: lower-case letters, digits, dots and hyphens).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket`, `s3://bucket/prefix` or `s3://bucket/prefix/`. */
export function parseS3Target(url: string): S3Target {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(url);
  if (!match) throw new S3TargetError(`--to must be an s3:// URL like s3://my-bucket/newsroom (got "${url}")`);
  const bucket = match[1] ?? '';
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw new S3TargetError(
      `--to names the bucket "${bucket}", which is not a valid S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens)`,
    );
  }
  const prefix = (match[2] ?? '').replace(/\/+$/, '');
  const segments = prefix === '' ? [] : prefix.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new S3TargetError(`--to has an empty, "." or ".." segment in its prefix "${prefix}"`);
  }
  return { bucket, prefix };
}

/** The object key of an output path (`news/x/index.html`) under the target's prefix. */
export function keyOf(target: S3Target, path: string): string {
  return target.prefix === '' ? path : `${target.prefix}/${path}`;
}

/** The key prefix to list: the prefix and a slash, so `s3://b/site` never lists `site2/`. */
export function listPrefix(target: S3Target): string {
  return target.prefix === '' ? '' : `${target.prefix}/`;
}

/** The target as an `s3://` URL ending in a slash, for messages. */
export function formatS3Target(target: S3Target): string {
  return `s3://${target.bucket}/${listPrefix(target)}`;
}
