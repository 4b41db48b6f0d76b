import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeDist, tempDir } from '../helpers/dist.js';
import { newsroom, S3RVER_ENV } from '../helpers/newsroom-process.js';
import { sampleSite } from '../helpers/publish-site.js';
import { S3TestServer } from '../helpers/s3-server.js';
import { cli } from '../helpers/site.js';

let s3: S3TestServer;
let root: string;
beforeAll(async () => {
  s3 = await S3TestServer.start(['site']);
  root = await makeDist(sampleSite());
});
afterAll(() => s3.close());
beforeEach(() => s3.reset());

function publish(to: string, env: Record<string, string> = S3RVER_ENV, ...extra: string[]) {
  return newsroom(['publish', '--root', root, '--to', to, '--endpoint', s3.endpoint, ...extra], env);
}

/** Exit 1 and exactly one line on stderr, without a stack trace. */
function expectOneLine(result: { code: number | null; stderr: string }, line: string | RegExp): void {
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(line);
}

describe('publish errors a CI engineer can cause', () => {
  it('a bucket that does not exist', async () => {
    expectOneLine(
      await publish('s3://no-such-bucket/x'),
      `newsroom: the bucket "no-such-bucket" does not exist on ${s3.endpoint}: check --to and --endpoint; nothing was uploaded or deleted`,
    );
  });

  it('an endpoint that refuses connections', async () => {
    const result = await newsroom(
      ['publish', '--root', root, '--to', 's3://site/x', '--endpoint', 'http://127.0.0.1:1'],
      S3RVER_ENV,
    );
    expectOneLine(
      result,
      /^newsroom: cannot reach http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED after 6 attempts\): check --endpoint and the network; nothing was uploaded or deleted$/,
    );
  });

  it('access denied', async () => {
    s3.faults.push({ method: 'GET', times: Infinity, answer: { status: 403, code: 'AccessDenied' } });
    expectOneLine(
      await publish('s3://site/denied'),
      /^newsroom: access denied (listing|reading) s3:\/\/site\/denied\/\S*: the credentials need s3:(ListBucket|GetObject) on it; nothing was uploaded or deleted$/,
    );
  });

  it('credentials the server rejects, and none at all', async () => {
    expectOneLine(
      await publish('s3://site/x', { AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN', AWS_SECRET_ACCESS_KEY: 'x' }),
      `newsroom: ${s3.endpoint} rejected the credentials (InvalidAccessKeyId): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE; nothing was uploaded or deleted`,
    );
    expectOneLine(
      await publish('s3://site/x', {}),
      /^newsroom: no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE/,
    );
    expect(s3.writes()).toEqual([]);
  });

  it('no build to publish', async () => {
    const empty = await tempDir();
    const result = await newsroom(
      ['publish', '--root', empty, '--to', 's3://site/x', '--endpoint', s3.endpoint],
      S3RVER_ENV,
    );
    expectOneLine(result, /^newsroom: \S+\/dist\/\.newsroom\/manifest\.json does not exist: build the site first$/);
    expect(s3.log).toEqual([]);
  });

  it('never prints the credentials, whether the publish works or fails', async () => {
    const secret = 'newsroom-TEST-secret-7f3a9c';
    const token = 'newsroom-TEST-session-token-5e2b';
    const env = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: token };
    const runs = [
      await publish('s3://site/secret', env),
      await publish('s3://site/secret', env, '--dry-run'),
      await publish('s3://no-such-bucket/x', env),
      await publish('s3://site/x', { ...env, AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN' }),
    ];
    expect(runs.map((r) => r.code)).toEqual([0, 0, 1, 1]);
    for (const run of runs) {
      const output = run.stdout + run.stderr;
      expect(output).not.toContain(secret);
      expect(output).not.toContain(token);
      expect(output).not.toContain('AKIAUNKNOWN');
    }
  });
});

describe('bad command lines exit 2', () => {
  it.each([
    [['publish', '--root', '.'], /publish needs --to s3:\/\/bucket\/prefix/],
    [['publish', '--to', 'https://example.org/x'], /--to must be an s3:\/\/ URL/],
    [['publish', '--to', 's3://Bad_Bucket'], /not a valid S3 bucket name/],
    [['publish', '--to', 's3://site/x', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 100/],
    [['publish', '--to', 's3://site/x', '--max-deletes', 'many'], /--max-deletes must be a whole number/],
    [['publish', '--to', 's3://site/x', '--endpoint', 'ftp://x'], /--endpoint must be an http or https URL/],
    [['publish', '--to', 's3://site/x', 'extra'], /unexpected argument: extra/],
    [['publish', '--to', 's3://site/x', '--json'], /--json does not apply to publish/],
    [['build', '--to', 's3://site/x'], /--to does not apply to build/],
    [['diff', 'one.json'], /diff needs two manifests/],
    [['diff', 'a', 'b', 'c'], /unexpected argument: c/],
  ])('%j', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('Usage: newsroom <command>');
  });

  it('documents both commands in --help', async () => {
    const help = await cli('--help');
    expect(help.stdout).toMatch(/^ {2}diff OLD NEW +compare two builds/m);
    expect(help.stdout).toMatch(/^ {2}--max-deletes N +refuse to delete more than N objects \(default: 256\)/m);
  });
});
