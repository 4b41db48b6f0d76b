// The `newsroom dev` the soak test runs: the real CLI as a child process, read through its output lines (builds,
// failed builds, answers to memory requests) as a user at the terminal would read them.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from '../bench/generate-site.mjs';
import { median } from './probes.mjs';

/** Quiet time (no build) after the last edit before the end checks: longer than the server's 5 s sweep. */
const SETTLE_QUIET_MS = 10_000;
const SETTLE_MAX_MS = 5 * 60_000;

/** Whether the server process is still running (neither exited nor killed). */
export function running(dev) {
  return dev.child.exitCode === null && dev.child.signalCode === null;
}

/** Starts `newsroom dev` on `root` at the clock `now`; resolves once it serves, with its output so far and to come. */
export async function startDev(root, tmp, now) {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      path.join(REPO_ROOT, 'bin/newsroom.js'),
      'dev',
      '--root',
      root,
      '--port',
      '0',
      '--now',
      now,
      '--cache-dir',
      path.join(tmp, 'cache'),
    ],
    {
      cwd: tmp,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own TMPDIR, so the directory it serves can be found and compared with a clean build.
      env: { ...process.env, TMPDIR: path.join(tmp, 'tmp'), NO_COLOR: '1', NEWSROOM_DEV_MEMORY: '1' },
    },
  );
  const dev = {
    child,
    stdout: [],
    stderr: [],
    builds: { ok: 0, failed: 0, ms: [], done: [] },
    lastBuildAt: performance.now(),
    lastBuildOk: false,
    lastBuildLine: 'no build',
    memoryWaiters: [],
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    const memory = /^newsroom: memory rss=(\d+) heapUsed=(\d+) heapTotal=(\d+)/.exec(line);
    if (memory) {
      dev.memoryWaiters.shift()?.({
        rss: Number(memory[1]),
        heapUsed: Number(memory[2]),
        heapTotal: Number(memory[3]),
      });
      return;
    }
    dev.stdout.push(line);
    const built = /^newsroom: built in (\d+) ms/.exec(line);
    if (built) {
      dev.builds.ok++;
      dev.builds.ms.push(Number(built[1]));
      dev.lastBuildAt = performance.now();
      dev.builds.done.push({ end: dev.lastBuildAt, ms: Number(built[1]) });
      dev.lastBuildOk = true;
      dev.lastBuildLine = line;
    }
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    dev.stderr.push(line);
    if (line.startsWith('newsroom: build failed')) {
      dev.builds.failed++;
      dev.lastBuildAt = performance.now();
      dev.lastBuildOk = false;
      dev.lastBuildLine = line;
    }
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const match = dev.stdout.map((l) => /^newsroom: serving (\S+)/.exec(l)).find(Boolean);
      if (match) {
        clearInterval(timer);
        resolve(match[1]);
      } else if (!running(dev)) {
        clearInterval(timer);
        reject(new Error(`newsroom dev exited before serving:\n${[...dev.stdout, ...dev.stderr].join('\n')}`));
      }
    }, 100);
  });
  // The same object the output readers update: a copy would keep the first build's state forever.
  dev.url = url;
  return dev;
}

/**
 * The server's memory after a forced collection (undefined if it does not answer within 30 s): SIGUSR2 with
 * NEWSROOM_DEV_MEMORY=1 makes it print one `newsroom: memory` line (src/dev/memory-report.ts).
 */
export function askMemory(dev) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      dev.memoryWaiters.splice(dev.memoryWaiters.indexOf(answer), 1);
      resolve(undefined);
    }, 30_000);
    const answer = (memory) => {
      clearTimeout(timer);
      resolve(memory);
    };
    dev.memoryWaiters.push(answer);
    dev.child.kill('SIGUSR2');
  });
}

/** The server's memory at rest: the median of three samples after a forced GC, a second apart. */
export async function restingMemory(dev) {
  const samples = [];
  for (let i = 0; i < 3; i++) {
    const memory = await askMemory(dev);
    if (memory) samples.push(memory);
    await sleep(1_000);
  }
  return { rss: median(samples.map((s) => s.rss)), heapUsed: median(samples.map((s) => s.heapUsed)) };
}

/**
 * Waits until a build that started after the last edit has ended well (a build line gives its end and length, so
 * its start), then no build for {@link SETTLE_QUIET_MS}, which covers the server's own sweep of the sources.
 * Resolves with the seconds waited.
 */
export async function settle(dev, lastEditAt, quietMs = SETTLE_QUIET_MS) {
  const started = performance.now();
  while (performance.now() - started < SETTLE_MAX_MS) {
    const after = dev.builds.done.some((b) => b.end - b.ms > lastEditAt);
    if (after && performance.now() - dev.lastBuildAt >= quietMs) break;
    await sleep(200);
  }
  return (performance.now() - started) / 1000;
}

/** The directory the dev server serves, under the TMPDIR it was given. */
export async function devDirectory(tmp, pid) {
  const names = (await readdir(path.join(tmp, 'tmp'))).filter((n) => n.startsWith(`newsroom-dev-${pid}-`));
  if (names.length !== 1) throw new Error(`expected one dev directory for process ${pid}, found ${names.length}`);
  return path.join(tmp, 'tmp', names[0]);
}

/** Stops the server with Ctrl-C, as a user does; resolves with whether it was still running and how it exited. */
export async function stopDev(dev) {
  const alive = running(dev);
  dev.child.kill('SIGINT');
  const giveUp = new AbortController();
  const exit = await Promise.race([
    dev.exited,
    sleep(30_000, undefined, { signal: giveUp.signal }).then(
      () => ({ code: 'no exit in 30 s' }),
      () => undefined,
    ),
  ]);
  giveUp.abort();
  return { alive, exit };
}

/** Stack-trace lines and anything else on stderr that is neither a diagnostic nor a `newsroom:` line. */
export function unexpectedStderr(lines) {
  const diagnostic = /^[^\s:][^:]*:\d+:\d+: .* \[[\w/-]+\]$/;
  const stack = lines.filter((l) => /^\s+at \S/.test(l) || /^\w*Error\b/.test(l));
  const other = lines.filter((l) => !diagnostic.test(l) && !l.startsWith('newsroom: ') && l.trim() !== '');
  return { stack, other };
}
