import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { load } from 'cheerio';
import { afterEach, describe, expect, it } from 'vitest';
import { LIVE_RELOAD_TAG } from '../../src/dev/dev-output.js';
import { occurrences, request } from '../helpers/http.js';
import { makeSite, REPO, release, tempDir } from '../helpers/site.js';

const SERVING = /^newsroom: serving (http:\/\/127\.0\.0\.1:(\d+)\/) \(Ctrl-C to stop\)$/m;

/** A running `newsroom dev` (the real bin, compiled lib/) with its own TMPDIR. */
interface DevProcess {
  readonly child: ChildProcess;
  readonly tmp: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` on stdout; fails if the process exits first or after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function startDev(...args: string[]): Promise<DevProcess> {
  const tmp = await tempDir();
  const child = spawn('node', [path.join(REPO, 'bin/newsroom.js'), 'dev', ...args], {
    cwd: REPO,
    env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  let err = '';
  let wake = (): void => {};
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    wake();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    wake();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => wake());
  return {
    child,
    tmp,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => fail(`not printed within ${ms} ms`), ms);
        const fail = (why: string): void => {
          clearTimeout(timer);
          wake = () => {};
          reject(new Error(`${pattern} ${why}\nstdout: ${out}\nstderr: ${err}`));
        };
        wake = () => {
          const match = out.match(pattern);
          if (match) {
            clearTimeout(timer);
            wake = () => {};
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null)
            fail('not printed before the process exited');
        };
        wake();
      });
    },
  };
}

/** Runs `newsroom dev` to completion (for the cases that must exit at once). */
async function runDev(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dev = await startDev(...args);
  const code = await Promise.race([
    dev.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('newsroom dev did not exit')), 10_000)),
  ]);
  return { code, stdout: dev.stdout(), stderr: dev.stderr() };
}

/** Sends Ctrl-C and waits for the exit, failing after `ms`. */
async function interrupt(dev: DevProcess, ms = 5_000): Promise<number | null> {
  dev.child.kill('SIGINT');
  return Promise.race([
    dev.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit within ${ms} ms of SIGINT`)), ms)),
  ]);
}

/** Listens on `port` of 127.0.0.1 (0: any free port); resolves with the server once it listens. */
function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const closeServer = (server: net.Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

const devDirs = async (tmp: string): Promise<string[]> =>
  (await readdir(tmp)).filter((name) => name.startsWith('newsroom-dev-'));

/** Whether a TCP connection to `host:port` is accepted. */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('newsroom dev, the real process', () => {
  it('serves on loopback, and on Ctrl-C stops, exits 0, frees the port and removes its temp directory', async () => {
    const root = await makeSite({ 'content/news/geneva-office.md': release({ title: 'IOM Opens a Geneva Office' }) });
    const dev = await startDev('--root', root, '--port', '0');
    const [, url = '', portText = ''] = await dev.waitFor(SERVING);
    const port = Number(portText);

    const page = await request(url, '/news/geneva-office/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>IOM Opens a Geneva Office</h1>');
    expect(occurrences(page.text, LIVE_RELOAD_TAG)).toBe(1);
    // It builds into the TMPDIR it was given, so the check after it stops means something.
    expect(await devDirs(dev.tmp)).toHaveLength(1);
    // Loopback only: another address of this machine refuses the connection.
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i !== undefined && !i.internal && i.family === 'IPv4');
    if (external) expect(await connects(external.address, port)).toBe(false);

    expect(await interrupt(dev)).toBe(0);
    expect(dev.stdout()).toMatch(/^newsroom: stopped$/m);
    expect(dev.stderr()).toBe('');
    await closeServer(await listen(port));
    expect(await devDirs(dev.tmp)).toEqual([]);
  });

  it('honours Ctrl-C during a long first build: stops once it is done, exits 0, leaves nothing behind', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 600; i++)
      files[`content/news/r${i}.md`] = release({ title: `Release ${i}` }, 'Text.\n'.repeat(40));
    const dev = await startDev('--root', await makeSite(files), '--port', '0');
    // Its temp directory appears once Ctrl-C is handled and the first build (about 2 s here) has begun.
    const devDirs = async () => (await readdir(dev.tmp)).filter((n) => n.startsWith('newsroom-dev-'));
    while ((await devDirs()).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(dev.stdout()).not.toMatch(SERVING);
    dev.child.kill('SIGINT');
    expect(await dev.exited).toBe(0);
    expect(dev.stderr()).toContain('stopping once the first build is done');
    expect(dev.stdout()).toContain('newsroom: stopped');
    expect(await devDirs()).toEqual([]);
  });

  it('exits 1 naming the port and --port when the port is in use', async () => {
    const root = await makeSite({ 'content/news/geneva-office.md': release() });
    const taken = await listen(0);
    try {
      const port = (taken.address() as net.AddressInfo).port;
      const dev = await startDev('--root', root, '--port', String(port));
      const code = await Promise.race([
        dev.exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('did not exit')), 10_000)),
      ]);
      expect(code).toBe(1);
      expect(dev.stderr()).toMatch(new RegExp(`:${port}\\b.*--port`));
      expect(dev.stderr()).not.toMatch(/\n\s+at /);
      expect(dev.stdout()).not.toMatch(SERVING);
      expect(await devDirs(dev.tmp)).toEqual([]);
    } finally {
      await closeServer(taken);
    }
  });

  it.each([
    [['--out', 'x'], /--out does not apply to dev/],
    [['--port', 'abc'], /--port must be a number/],
    [['--port', '65536'], /--port must be a number/],
  ])('exits 2 on a bad command line: dev %j', async (args, message) => {
    const root = await makeSite({});
    const result = await runDev('--root', root, ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).not.toMatch(SERVING);
  });

  it('serves even when the first build fails, shows where, and picks up the fix', async () => {
    const root = await makeSite({
      'content/news/broken.md': release({ title: 'A Broken Release', date: '2024-02-30' }),
    });
    const dev = await startDev('--root', root, '--port', '0');
    const [, url = ''] = await dev.waitFor(SERVING);
    expect(dev.stderr()).toMatch(/^content\/news\/broken\.md:3:1: date must be /m);

    const home = await request(url, '/');
    expect([200, 404]).toContain(home.status);
    expect(home.headers['content-type']).toMatch(/^text\/html/);
    expect(load(home.text)('body script[src="/__newsroom/live-reload.js"]')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(dev.child.exitCode).toBeNull();

    await writeFile(path.join(root, 'content/news/broken.md'), release({ title: 'A Mended Release' }));
    await dev.waitFor(/^newsroom: built in /m);
    const fixed = await request(url, '/news/broken/');
    expect(fixed.status).toBe(200);
    expect(fixed.text).toContain('<h1>A Mended Release</h1>');

    expect(await interrupt(dev)).toBe(0);
    expect(dev.stdout()).toMatch(/^newsroom: stopped$/m);
    expect(await devDirs(dev.tmp)).toEqual([]);
  });
});
