import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MANIFEST_PATH } from '../../src/publish/manifest.js';
import { type DistSpec, makeDist, manifestOf, writeDist } from '../helpers/dist.js';
import { newsroom, S3RVER_ENV, startNewsroom } from '../helpers/newsroom-process.js';
import { expectedState, sampleSite } from '../helpers/publish-site.js';
import { S3TestServer } from '../helpers/s3-server.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await S3TestServer.start(['site', 'reference']);
});
afterAll(() => s3.close());
beforeEach(() => s3.reset());

function args(root: string, to: string, ...extra: string[]): string[] {
  return ['publish', '--root', root, '--to', to, '--endpoint', s3.endpoint, ...extra];
}

/** A site of 40 pages whose text (not length) depends on `version`, so versions differ in bytes only. */
function bigSite(version: 'v1' | 'v2', removed = false): Record<string, DistSpec> {
  const files: Record<string, DistSpec> = { ...sampleSite(version) };
  for (let i = 0; i < 40; i++) {
    if (removed && i % 10 === 0) continue;
    files[`news/r${String(i).padStart(2, '0')}/index.html`] = `<h1>Release ${i} ${version}</h1>`;
    files[`images/r${i}.0123abcd${String(i).padStart(2, '0')}.jpg`] = `jpeg ${i}`;
  }
  return files;
}

describe('publish through a failing network', () => {
  it('retries throttled and dropped requests with backoff and still publishes everything', async () => {
    const root = await makeDist(sampleSite());
    const manifest = manifestOf(sampleSite());
    s3.faults.push(
      { method: 'PUT', times: 2, answer: { status: 503, code: 'SlowDown' } },
      { method: 'PUT', times: 2, answer: 'drop' },
      { method: 'GET', times: 1, answer: { status: 500, code: 'InternalError' } },
    );
    const result = await newsroom(args(root, 's3://site/retry'), S3RVER_ENV);
    expect(result.code).toBe(0);
    expect(s3.faults.map((f) => f.times)).toEqual([0, 0, 0]);
    expect(s3.log.filter((r) => r.status === 503)).toHaveLength(2);
    expect(await s3.state('site', 'retry/')).toEqual(expectedState(manifest));
  });

  it('gives up on a request the server never answers after --timeout, retries it and publishes everything', async () => {
    const root = await makeDist(sampleSite());
    s3.faults.push({ method: 'PUT', key: /news\/a\/index\.html$/, times: 2, answer: 'silent' });
    const result = await newsroom(args(root, 's3://site/silent', '--timeout', '1'), S3RVER_ENV);
    expect(result.code, result.stderr).toBe(0);
    expect(s3.faults[0]?.times).toBe(0);
    expect(s3.writes().filter((w) => w === 'PUT silent/news/a/index.html')).toHaveLength(3);
    expect(await s3.state('site', 'silent/')).toEqual(expectedState(manifestOf(sampleSite())));
  });

  it('stops with one clear line when the server never answers any attempt', async () => {
    const root = await makeDist(sampleSite());
    s3.faults.push({ method: 'PUT', key: /news\/a\/index\.html$/, times: Infinity, answer: 'silent' });
    const failed = await newsroom(args(root, 's3://site/hung', '--timeout', '1'), S3RVER_ENV);
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim().split('\n').at(-1)).toBe(
      `newsroom: ${s3.endpoint} did not answer uploading s3://site/hung/news/a/index.html after 6 attempts: check --endpoint and the network, or allow it longer with --timeout; the bucket keeps its previous manifest: run publish again to finish the job`,
    );
    expect(s3.writes()).not.toContain(`PUT hung/${MANIFEST_PATH}`);
  });

  it('refuses a --timeout that is not a whole number of seconds', async () => {
    const result = await newsroom(['publish', '--to', 's3://site/x', '--timeout', '0.5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--timeout must be a whole number from 1 to 3600 (got "0.5")');
  });

  it('stops with one clear line when a request fails every attempt, leaving the old manifest for a rerun', async () => {
    const root = await makeDist(sampleSite('v1'));
    expect((await newsroom(args(root, 's3://site/fail'), S3RVER_ENV)).code).toBe(0);
    const oldManifest = (await s3.state('site', 'fail/'))[MANIFEST_PATH];
    const manifest = await writeDist(root, sampleSite('v2'));
    s3.reset();
    s3.faults.push({
      method: 'PUT',
      key: /news\/a\/index\.html$/,
      times: Infinity,
      answer: { status: 500, code: 'InternalError' },
    });
    const failed = await newsroom(args(root, 's3://site/fail'), S3RVER_ENV);
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim().split('\n').at(-1)).toBe(
      'newsroom: uploading s3://site/fail/news/a/index.html failed after 6 attempts: InternalError (HTTP 500): Injected by the test proxy; the bucket keeps its previous manifest: run publish again to finish the job',
    );
    expect(failed.stderr).not.toMatch(/^\s+at /m);
    expect(s3.writes().filter((w) => w === 'PUT fail/news/a/index.html')).toHaveLength(6);
    expect(s3.writes()).not.toContain(`PUT fail/${MANIFEST_PATH}`);
    expect((await s3.state('site', 'fail/'))[MANIFEST_PATH]).toEqual(oldManifest);

    s3.reset();
    const rerun = await newsroom(args(root, 's3://site/fail'), S3RVER_ENV);
    expect(rerun.code).toBe(0);
    // The purge list still covers everything since the last finished publish.
    expect(rerun.stdout).toContain('  /newsroom/news/a/\n');
    expect(await s3.state('site', 'fail/')).toEqual(expectedState(manifest));
  });

  it('hands a rerun the purge list of a publish that stopped during its deletes', async () => {
    const root = await makeDist(sampleSite('v1'));
    expect((await newsroom(args(root, 's3://site/late'), S3RVER_ENV)).code).toBe(0);
    const { 'news/b/index.html': _b, ...rest } = sampleSite('v1');
    const manifest = await writeDist(root, { ...rest, 'news/a/index.html': '<h1>A, corrected</h1>' });
    s3.reset();
    // Every delete fails: the new manifest is stored, the removed page is still there.
    s3.faults.push({ method: 'POST', times: Infinity, answer: { status: 500, code: 'InternalError' } });
    const failed = await newsroom(args(root, 's3://site/late'), S3RVER_ENV);
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim().split('\n').at(-1)).toMatch(
      /failed after 6 attempts: InternalError \(HTTP 500\).*; the new site is live: run publish again to delete what is left$/,
    );
    expect(s3.writes()).toContain(`PUT late/${MANIFEST_PATH}`);

    s3.reset();
    const rerun = await newsroom(args(root, 's3://site/late'), S3RVER_ENV);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('published 0 files');
    // The stored manifest is this build's, so the diff is empty; the list the stopped publish wrote still counts.
    const purge = JSON.parse(await readFile(path.join(root, 'dist/.newsroom/purge.json'), 'utf8')) as {
      paths: string[];
    };
    expect(purge.paths).toEqual(['/newsroom/news/a/', '/newsroom/news/b/']);
    expect(rerun.stdout).toContain('  /newsroom/news/b/\n');
    expect(await s3.state('site', 'late/')).toEqual(expectedState(manifest));
  });

  it('ends a publish killed half-way and run again in exactly the state of an uninterrupted one', async () => {
    const root = await makeDist(bigSite('v1'));
    expect((await newsroom(args(root, 's3://site/kill'), S3RVER_ENV)).code).toBe(0);
    const v1State = await s3.state('site', 'kill/');
    // The reference bucket goes through the same publishes without interruption: v1, then v2.
    expect((await newsroom(args(root, 's3://reference/kill'), S3RVER_ENV)).code).toBe(0);
    await writeDist(root, bigSite('v2', true));
    expect((await newsroom(args(root, 's3://reference/kill'), S3RVER_ENV)).code).toBe(0);
    const v2State = await s3.state('reference', 'kill/');

    /** Starts a publish of the current dist with slow uploads and kills it with SIGKILL after `puts` of them. */
    const interrupt = async (puts: number): Promise<void> => {
      s3.reset();
      s3.delay = 20;
      s3.slowMethod = 'PUT';
      const running = startNewsroom(args(root, 's3://site/kill', '--concurrency', '2'), S3RVER_ENV);
      let exited = false;
      void running.exited.then(() => {
        exited = true;
      });
      while (!exited && s3.log.filter((r) => r.method === 'PUT' && r.status === 200).length < puts) await sleep(5);
      running.child.kill('SIGKILL');
      expect((await running.exited).signal).toBe('SIGKILL');
      // Requests the proxy holds still land, as they would at S3.
      await s3.idle();
      s3.reset();
      expect(s3.writes()).toEqual([]);
    };

    await interrupt(10);
    const mixed = await s3.state('site', 'kill/');
    expect(mixed).not.toEqual(v1State);
    expect(mixed[MANIFEST_PATH]).toEqual(v1State[MANIFEST_PATH]);
    expect((await newsroom(args(root, 's3://site/kill'), S3RVER_ENV)).code).toBe(0);
    expect(await s3.state('site', 'kill/')).toEqual(v2State);

    // Killed while going back to v1 (same sizes, other bytes), then v2 again: the objects the killed publish
    // overwrote look unchanged by size and by the stored manifest, and must still be put right.
    await writeDist(root, bigSite('v1'));
    await interrupt(10);
    const reverted = await s3.state('site', 'kill/');
    expect(reverted[MANIFEST_PATH]).toEqual(v2State[MANIFEST_PATH]);
    expect(reverted['news/r01/index.html']?.sha256).not.toBe(v2State['news/r01/index.html']?.sha256);
    await writeDist(root, bigSite('v2', true));
    expect((await newsroom(args(root, 's3://site/kill'), S3RVER_ENV)).code).toBe(0);
    expect(await s3.state('site', 'kill/')).toEqual(v2State);
  });
});
