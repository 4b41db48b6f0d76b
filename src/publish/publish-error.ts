/** A publish that cannot go on, with a one-line message for the person running it. */
export class PublishError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PublishError';
  }
}

/** What a request was for: names the permission it needs in messages. */
export type S3Operation = 'list' | 'read' | 'check' | 'upload' | 'delete';

/** The place of a failed request, for its message. */
export interface RequestPlace {
  readonly operation: S3Operation;
  readonly bucket: string;
  readonly key: string;
  /** `--endpoint`, or undefined for AWS. */
  readonly endpoint: string | undefined;
  readonly region: string;
  /** Attempts made, when Newsroom retried rather than the SDK (a reply cut off while its body was read). */
  readonly attempts?: number | undefined;
}

const VERB: Record<S3Operation, [string, string]> = {
  list: ['listing', 's3:ListBucket'],
  read: ['reading', 's3:GetObject'],
  check: ['checking', 's3:GetObject'],
  upload: ['uploading', 's3:PutObject'],
  delete: ['deleting', 's3:DeleteObject'],
};

const REJECTED = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
]);
const DENIED = new Set(['AccessDenied', 'Forbidden', 'AllAccessDisabled', 'AccountProblem']);
const WRONG_REGION = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IncorrectEndpoint']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE']);

/** The parts of an SDK or Node error the messages use. */
interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

function shapeOf(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? (error as ErrorShape) : {};
}

/** The network error code of `error` or of one of its causes. */
function networkCode(error: unknown, depth = 0): string | undefined {
  const { code } = shapeOf(error);
  if (typeof code === 'string' && NETWORK.has(code)) return code;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause !== undefined && depth < 5 ? networkCode(cause, depth + 1) : undefined;
}

/**
 * Whether `error` is a connection lost outside the SDK's retries: a reply cut off while its body was read (the SDK
 * had already returned), which has a network code and no request metadata.
 */
export function isCutOff(error: unknown): boolean {
  return shapeOf(error).$metadata === undefined && networkCode(error) !== undefined;
}

/**
 * One line saying why a request failed and what to do, never with credentials (the SDK's messages carry none);
 * undefined for errors that are not about S3 or the network (programmer errors, thrown on).
 */
export function describeS3Error(error: unknown, place: RequestPlace): string | undefined {
  const { name, message, $metadata } = shapeOf(error);
  const [verb, permission] = VERB[place.operation];
  const server = place.endpoint ?? `S3 in ${place.region}`;
  const attempts = $metadata?.attempts ?? place.attempts ?? 1;
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  if (name === 'CredentialsProviderError') {
    return 'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE';
  }
  const code = networkCode(error);
  if (code) return `cannot reach ${server} (${code}${tries}): check --endpoint and the network`;
  if (name === 'TimeoutError') {
    return `${server} did not answer ${verb} s3://${place.bucket}/${place.key}${tries}: check --endpoint and the network, or allow it longer with --timeout`;
  }
  if ($metadata === undefined || typeof name !== 'string') return undefined;
  const status = $metadata.httpStatusCode;
  if (name === 'NoSuchBucket') {
    return `the bucket "${place.bucket}" does not exist on ${server}: check --to${place.endpoint ? ' and --endpoint' : ' and --region'}`;
  }
  if (REJECTED.has(name)) {
    return `${server} rejected the credentials (${name}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE`;
  }
  if (WRONG_REGION.has(name) || status === 301) {
    return `the bucket "${place.bucket}" is not in ${place.region}: pass --region (or set AWS_REGION) to its region`;
  }
  if (DENIED.has(name) || status === 403) {
    return `access denied ${verb} s3://${place.bucket}/${place.key}: the credentials need ${permission} on it`;
  }
  const said = typeof message === 'string' && message !== '' && message !== name ? `: ${message}` : '';
  return `${verb} s3://${place.bucket}/${place.key} failed${tries}: ${name}${status ? ` (HTTP ${status})` : ''}${said}`
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}
