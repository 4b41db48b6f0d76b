// What the benchmarks share: running a build under GNU time with the peak RSS of its process tree, and laying out
// the Eleventy peer for a generated corpus.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export const BENCH = import.meta.dirname;
export const ELEVENTY_PACKAGE = path.join(BENCH, 'node_modules/@11ty/eleventy');
export const ELEVENTY_PEER = path.join(BENCH, 'peers/eleventy');
export const GNU_TIME = '/usr/bin/time';
export const SAMPLE_MS = 100;
export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
export const log = (line) => process.stderr.write(`${line}\n`);
export const seconds = (s) => (s >= 10 ? s.toFixed(1) : s.toFixed(2));
export const count = (n) => n.toLocaleString('en-US');

/** RSS in KB of `pid` and all its descendants now, from /proc (threads share their process's RSS). */
function treeRssKb(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name, in parentheses, may hold spaces: the parent pid is the second field after it.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  let total = 0;
  for (const stack = [pid]; stack.length > 0; ) {
    const current = stack.pop();
    try {
      total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${current}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      continue;
    }
    stack.push(...(children.get(current) ?? []));
  }
  return total;
}

/**
 * Runs `node ARGS` in `cwd` under GNU time and gives {ok, exit, wallS, cpuS, rssMb, ...}. The peak RSS is the
 * sampled peak of the whole tree, never below GNU time's (exact) peak of its largest process, which a short spike
 * between samples cannot escape.
 */
export async function measure({ args, cwd }, timeFile) {
  const child = spawn(GNU_TIME, ['-f', '%e %U %S %M', '-o', timeFile, process.execPath, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = performance.now();
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-16_000); // the end is enough to tell why a run failed
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let peakKb = 0;
  const sampler = setInterval(() => {
    peakKb = Math.max(peakKb, treeRssKb(child.pid));
  }, SAMPLE_MS);
  const exit = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  const wallS = (performance.now() - started) / 1000;
  clearInterval(sampler);
  // GNU time writes "Command exited with non-zero status N" or "... terminated by signal N" before its line.
  const [, user, sys, maxKb] = (await readFile(timeFile, 'utf8')).trim().split('\n').at(-1).split(' ').map(Number);
  const ok = exit === 0;
  const rssMb = Math.max(peakKb, maxKb) / 1024;
  return { ok, exit, wallS, cpuS: user + sys, rssMb, largestProcessRssMb: maxKb / 1024, ...(ok ? {} : { output }) };
}

/** Lays out the Eleventy project for a corpus: the peer's src/, the site's public files and its releases. */
export async function prepareEleventy(site, dir) {
  const src = path.join(dir, 'src');
  await cp(path.join(ELEVENTY_PEER, 'src'), src, { recursive: true });
  await cp(path.join(site, 'public'), path.join(src, 'public'), { recursive: true });
  await cp(path.join(site, 'content/news'), path.join(src, 'news'), { recursive: true });
}

/** The command that builds the Eleventy project laid out in `dir` at Eleventy's defaults, and what to delete first. */
export function eleventyCommand(dir) {
  return {
    cwd: dir,
    args: [
      path.join(ELEVENTY_PACKAGE, 'cmd.cjs'),
      '--quiet',
      `--config=${path.join(ELEVENTY_PEER, 'eleventy.config.mjs')}`,
      ...['--input', 'src', '--output', '_site'],
    ],
    clean: [path.join(dir, '_site'), path.join(dir, '.cache')],
  };
}
