import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ListedObject, StoredObject } from './plan.js';
import { describeS3Error, isCutOff, PublishError, type S3Operation } from './publish-error.js';
import { keyOf, listPrefix, type S3Target } from './s3-target.js';

/** Attempts per request (the SDK's standard retry strategy, exponential backoff with jitter between them). */
export const MAX_ATTEMPTS = 6;
/** Milliseconds before the second attempt of a request Newsroom retries itself; doubled each time, with jitter. */
const RETRY_BASE = 100;

/** How to reach the bucket. */
export interface BucketOptions {
  readonly target: S3Target;
  /** An S3-compatible endpoint (path-style requests); undefined for AWS. */
  readonly endpoint: string | undefined;
  readonly region: string;
  /** Seconds a request may send or receive nothing before it is abandoned (and retried). */
  readonly idleSeconds: number;
}

/** The headers an object is stored with. */
export interface ObjectHeaders {
  readonly type: string;
  readonly cacheControl: string;
  readonly encoding?: 'br' | 'gzip' | undefined;
}

/** The client: credentials only from the SDK's default chain (AWS_* variables, profiles, roles), never logged. */
function createClient(options: BucketOptions): S3Client {
  // The SDK warns on every run that its releases after January 2027 need Node 22; Newsroom supports Node 20, and
  // that warning is for whoever upgrades the SDK, not for the person publishing.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'standard',
    // Checksums only where S3 requires them (DeleteObjects): S3-compatible servers may store aws-chunked bodies.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A connection that takes 10 s to open or a request idle for `idleSeconds` (--timeout, 60 by default) fails
    // and is retried; no cap on a whole request, which a large file on a slow link may need.
    requestHandler: { connectionTimeout: 10_000, socketTimeout: options.idleSeconds * 1000 },
  });
}

function digest(algorithm: 'sha256' | 'md5', bytes: Buffer, encoding: 'hex' | 'base64'): string {
  return createHash(algorithm).update(bytes).digest(encoding);
}

/**
 * A site's prefix in a bucket, reached through one S3 client. Paths are relative to the prefix; every S3 or network
 * failure (after the SDK's retries) becomes a PublishError naming the key and what to do.
 */
export class SiteBucket {
  private readonly client: S3Client;

  constructor(private readonly options: BucketOptions) {
    this.client = createClient(options);
  }

  /** An object's text, or undefined when there is no such key. */
  async read(path: string): Promise<string | undefined> {
    return this.request('read', path, async (Key) => {
      try {
        const got = await this.client.send(new GetObjectCommand({ Bucket: this.options.target.bucket, Key }));
        return await got.Body?.transformToString('utf-8');
      } catch (error) {
        if ((error as { name?: unknown }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    });
  }

  /** Every object under the prefix, by path relative to it (ListObjectsV2, page by page). */
  async list(): Promise<Map<string, ListedObject>> {
    const prefix = listPrefix(this.options.target);
    const listing = new Map<string, ListedObject>();
    let token: string | undefined;
    do {
      const page = await this.request('list', '', (_key) =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.options.target.bucket,
            Prefix: prefix || undefined,
            ContinuationToken: token,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || !object.Key.startsWith(prefix)) continue;
        listing.set(object.Key.slice(prefix.length), { size: object.Size ?? 0, lastModified: object.LastModified });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return listing;
  }

  /** How an object is stored (HEAD), or undefined when it is not there. */
  async head(path: string): Promise<StoredObject | undefined> {
    return this.request('check', path, async (Key) => {
      try {
        const got = await this.client.send(new HeadObjectCommand({ Bucket: this.options.target.bucket, Key }));
        return {
          sha256: got.Metadata?.sha256,
          type: got.ContentType,
          cacheControl: got.CacheControl,
          encoding: got.ContentEncoding,
        };
      } catch (error) {
        if ((error as { name?: unknown }).name === 'NotFound') return undefined;
        throw error;
      }
    });
  }

  /** Stores `body` with its headers, its MD5 (which S3 checks) and its SHA-256 as `sha256` metadata. */
  async put(path: string, body: Buffer, headers: ObjectHeaders): Promise<void> {
    await this.request('upload', path, (Key) =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.options.target.bucket,
          Key,
          // A Buffer, not a stream: the SDK then sends a plain body with its length (see LIBRARY-NOTES).
          Body: body,
          ContentMD5: digest('md5', body, 'base64'),
          ContentType: headers.type,
          CacheControl: headers.cacheControl,
          ContentEncoding: headers.encoding,
          Metadata: { sha256: digest('sha256', body, 'hex') },
        }),
      ),
    );
  }

  /** Deletes `paths`, up to 1,000 a request (DeleteObjects); any key S3 could not delete fails the call. */
  async delete(paths: readonly string[]): Promise<void> {
    const { target } = this.options;
    for (let start = 0; start < paths.length; start += 1000) {
      const batch = paths.slice(start, start + 1000);
      const done = await this.request('delete', batch[0] ?? '', () =>
        this.client.send(
          new DeleteObjectsCommand({
            Bucket: target.bucket,
            Delete: { Objects: batch.map((p) => ({ Key: keyOf(target, p) })), Quiet: true },
          }),
        ),
      );
      const failed = done.Errors?.[0];
      if (failed) {
        const said = failed.Message ? `: ${failed.Message}` : '';
        throw new PublishError(`deleting s3://${target.bucket}/${failed.Key} failed: ${failed.Code}${said}`);
      }
    }
  }

  /** Closes the client's connections. */
  close(): void {
    this.client.destroy();
  }

  private async request<T>(operation: S3Operation, path: string, send: (key: string) => Promise<T>): Promise<T> {
    const { target, endpoint, region } = this.options;
    const key = path === '' ? listPrefix(target) : keyOf(target, path);
    for (let attempt = 1; ; attempt++) {
      try {
        return await send(key);
      } catch (error) {
        // The SDK retries a request that fails; a reply cut off while its body is read, after the SDK has returned,
        // is retried here as a whole, with the same backoff (every request publish makes is idempotent).
        if (isCutOff(error) && attempt < MAX_ATTEMPTS) {
          await sleep(RETRY_BASE * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
          continue;
        }
        const place = { operation, bucket: target.bucket, key, endpoint, region, attempts: attempt };
        const message = describeS3Error(error, place);
        if (message === undefined) throw error;
        throw new PublishError(message, { cause: error });
      }
    }
  }
}
