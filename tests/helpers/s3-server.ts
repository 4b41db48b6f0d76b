import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** The part of s3rver's class the tests use (the package ships no types). */
interface S3rver {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string; configs: never[] }[];
}) => S3rver;
const S3rverServer = createRequire(import.meta.url)('s3rver') as S3rverClass;

// The SDK's notice that its 2027 releases need Node 22 would fill the test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** One request that reached the proxy, in arrival order. */
export interface LoggedRequest {
  readonly method: string;
  readonly bucket: string;
  /** The object key, decoded; '' for requests on the bucket (list, batch delete). */
  readonly key: string;
  /** The raw query string, e.g. `delete=` or `list-type=2&prefix=...`. */
  readonly query: string;
  /** For a batch delete (POST ?delete): the keys in its body (empty until the body has arrived). */
  keys: readonly string[];
  /** The status sent back; undefined while unanswered (or when the connection was dropped). */
  status: number | undefined;
}

/** A failure the proxy injects instead of forwarding. */
export interface Fault {
  /** Only requests with this method (default: any). */
  readonly method?: string;
  /** Only keys matching (default: any). */
  readonly key?: RegExp;
  /** How many matching requests it hits; Infinity for every one. */
  times: number;
  /**
   * An S3 error reply; `drop` closes the connection once the request has arrived, without a reply; `cut-request`
   * closes it after the first part of the request's body (mid-upload); `cut-response` forwards the request, then
   * closes the connection after half of the reply's body (the request took effect, the client cannot know);
   * `slow` forwards it after 300 ms; `silent` reads the request and never answers, holding the connection open
   * (a server that hangs: only the client's timeout ends it).
   */
  readonly answer: { readonly status: number; readonly code: string } | FaultKind;
}

/** The faults other than an error reply. */
export type FaultKind = 'drop' | 'cut-request' | 'cut-response' | 'slow' | 'silent';

/** When {@link S3TestServer.observe} is called: a request changed the bucket, or a fault fired. */
export type Moment = 'write' | 'fault';

/** How an object is stored: what a reader gets back. */
export interface StoredObjectState {
  readonly sha256: string;
  readonly size: number;
  readonly type: string | undefined;
  readonly cacheControl: string | undefined;
  readonly encoding: string | undefined;
  readonly metadataSha256: string | undefined;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * s3rver (a local S3-protocol server) in a temp dir, behind a small proxy that logs every request in order and can
 * answer with errors, drop connections or slow every request down. Publish through `endpoint` (the proxy); check
 * the result with `client` or `state`, which go straight to s3rver and are not logged.
 */
export class S3TestServer {
  /** Requests that reached the proxy, in arrival order. */
  readonly log: LoggedRequest[] = [];
  /** Injected failures, tried in order. */
  readonly faults: Fault[] = [];
  /** Milliseconds the proxy waits before forwarding each request (of `slowMethod` only, when set). */
  delay = 0;
  /** Which requests `delay` slows down, e.g. `PUT`; undefined for all. */
  slowMethod: string | undefined;
  /**
   * Awaited before the client hears of a write that reached s3rver, and when a fault fires: sees the bucket as a
   * reader could at that moment (other requests in flight go on meanwhile).
   */
  observe: ((moment: Moment, request: LoggedRequest) => Promise<void>) | undefined;
  private inFlight = 0;
  private waiters: (() => void)[] = [];

  private constructor(
    /** The proxy's URL: give it to `--endpoint`. */
    readonly endpoint: string,
    /** A client talking to s3rver directly. */
    readonly client: S3Client,
    private readonly s3rver: S3rver,
    private readonly proxy: http.Server,
    private readonly directory: string,
  ) {}

  /** Starts s3rver with `buckets` and the proxy, both on 127.0.0.1 with free ports. */
  static async start(buckets: readonly string[] = ['site']): Promise<S3TestServer> {
    const directory = await mkdtemp(path.join(tmpdir(), 'newsroom-s3-'));
    const s3rver = new S3rverServer({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
      configureBuckets: buckets.map((name) => ({ name, configs: [] })),
    });
    const { port } = await s3rver.run();
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    let self: S3TestServer | undefined;
    const proxy = http.createServer((req, res) => {
      self?.track(
        self.handle(req, res, port).catch(() => {
          res.destroy();
        }),
      );
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyPort = (proxy.address() as AddressInfo).port;
    self = new S3TestServer(`http://127.0.0.1:${proxyPort}`, client, s3rver, proxy, directory);
    return self;
  }

  /** Forgets the log, the faults and the delay. */
  reset(): void {
    this.log.length = 0;
    this.faults.length = 0;
    this.delay = 0;
    this.slowMethod = undefined;
    this.observe = undefined;
  }

  /** The logged requests that changed the bucket, as `PUT key` and `DELETE key` (one per key of a batch delete). */
  writes(): string[] {
    return this.log.flatMap((r) => {
      if (r.method === 'PUT') return [`PUT ${r.key}`];
      if (r.method === 'DELETE') return [`DELETE ${r.key}`];
      if (r.method === 'POST' && r.query.startsWith('delete')) return r.keys.map((k) => `DELETE ${k}`);
      return [];
    });
  }

  /** Every object under `prefix` in `bucket`, by key relative to the prefix, read back in full. */
  async state(bucket: string, prefix = ''): Promise<Record<string, StoredObjectState>> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const listed = await this.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }),
      );
      for (const { Key } of listed.Contents ?? []) if (Key !== undefined) keys.push(Key);
      token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
    } while (token);
    const result: Record<string, StoredObjectState> = {};
    for (const Key of keys) {
      const got = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key }));
      const bytes = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
      result[Key.slice(prefix.length)] = {
        sha256: createHash('sha256').update(bytes).digest('hex'),
        size: bytes.length,
        type: got.ContentType,
        cacheControl: got.CacheControl,
        encoding: got.ContentEncoding,
        metadataSha256: got.Metadata?.sha256,
      };
    }
    return result;
  }

  /** Resolves once the proxy has no request in flight (after killing a client, its last requests may still land). */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stores an object directly (not logged), e.g. something the site does not have. */
  async put(bucket: string, key: string, body: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(body) }));
  }

  /** Stops the proxy and s3rver and removes the data. */
  async close(): Promise<void> {
    this.proxy.closeAllConnections();
    await new Promise((resolve) => this.proxy.close(resolve));
    await this.s3rver.close();
    this.client.destroy();
    await rm(this.directory, { recursive: true, force: true });
  }

  private track(request: Promise<void>): void {
    this.inFlight++;
    void request.finally(() => {
      this.inFlight--;
      if (this.inFlight === 0) for (const wake of this.waiters.splice(0)) wake();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, port: number): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const method = req.method ?? 'GET';
    const key = decodeURIComponent(rest.join('/'));
    const fault = this.faults.find(
      (f) => f.times > 0 && (!f.method || f.method === method) && (!f.key || f.key.test(key)),
    );
    if (fault) fault.times--;
    const answer = fault?.answer;
    const entry: LoggedRequest = {
      method,
      bucket: decodeURIComponent(bucket),
      key,
      query: url.search.slice(1),
      keys: [],
      status: undefined,
    };
    if (answer === 'cut-request') {
      // Mid-upload: the first chunk of the body has arrived (or, with no body, the headers), then the line goes dead.
      this.log.push(entry);
      await this.observe?.('fault', entry);
      if (Number(req.headers['content-length'] ?? 0) > 0) await new Promise((resolve) => req.once('data', resolve));
      req.socket.destroy();
      return;
    }
    const body = await readBody(req);
    entry.keys = [...body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1] ?? '');
    this.log.push(entry);
    if (this.delay > 0 && (!this.slowMethod || this.slowMethod === entry.method)) await sleep(this.delay);
    if (answer === 'slow') await sleep(300);
    if (fault && answer !== 'slow' && answer !== 'cut-response') await this.observe?.('fault', entry);
    if (answer !== undefined && answer !== 'slow' && answer !== 'cut-response') {
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      if (answer === 'silent') return;
      entry.status = answer.status;
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${answer.code}</Code><Message>Injected by the test proxy</Message><RequestId>test</RequestId></Error>`;
      res.writeHead(answer.status, {
        'content-type': 'application/xml',
        'content-length': Buffer.byteLength(xml),
      });
      res.end(req.method === 'HEAD' ? undefined : xml);
      return;
    }
    const headers = { ...req.headers };
    delete headers.expect;
    delete headers.connection;
    await new Promise<void>((resolve, reject) => {
      const upstream = http.request(
        { host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent: false },
        (reply) => {
          void (async () => {
            entry.status = reply.statusCode;
            const replyHeaders = { ...reply.headers };
            delete replyHeaders.connection;
            const changes = entry.method === 'PUT' || entry.method === 'DELETE' || entry.method === 'POST';
            if (changes || answer === 'cut-response') {
              // The whole reply first: the write has landed at s3rver, the client does not know yet.
              const chunks: Buffer[] = [];
              for await (const chunk of reply) chunks.push(chunk as Buffer);
              if (changes) await this.observe?.('write', entry);
              const bytes = Buffer.concat(chunks);
              res.writeHead(reply.statusCode ?? 502, replyHeaders);
              if (answer === 'cut-response') {
                await this.observe?.('fault', entry);
                // Half the body (at least the headers), then the connection closes.
                res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
                await sleep(10);
                req.socket.destroy();
              } else res.end(bytes);
              resolve();
              return;
            }
            res.writeHead(reply.statusCode ?? 502, replyHeaders);
            reply.pipe(res);
            reply.on('end', resolve);
            reply.on('error', reject);
          })().catch(reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}
