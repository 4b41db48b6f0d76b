// Soak test of `newsroom dev`: 10,000 edits over 10 minutes against a 1,000-release site with a browser connected.
//
//   npm run soak                                   # the whole run (compiles src/ into lib/ first)
//   node soak/dev-soak.mjs --edits 1000 --minutes 1 # a short one (after npm run prepare)
//   options: --edits N --minutes M --releases N --seed N --warmup-minutes M --keep (leave the temp dir)
//
// It generates a site (bench/generate-site.mjs, seeded), starts the real CLI (`node --expose-gc bin/newsroom.js dev`)
// as a child process, opens a release page and the news index in headless Chromium with live reload, and makes the
// edits at an even pace (soak/editor.mjs). Every few seconds it asks the server for its memory after a forced
// garbage collection (SIGUSR2 with NEWSROOM_DEV_MEMORY=1, see src/dev/memory-report.ts) and reads its RSS from /proc.
// Halfway and at the end it fires 200 requests at once. Once the server settles, every file it serves must equal a
// clean build of the final files (the live-reload tag aside), and the browser must show the last edit. It prints a
// summary and exits 1 when a goal is missed: a crash, a stack trace, a stale page, a failed request, memory growth of
// 50 MB or more after warm-up. Memory is compared at rest: after warm-up the edits pause until no build runs, and the
// RSS after a forced GC then is compared with the same once the server settled at the end (growth under load, the
// medians of the first and last minutes of edits, is shown too: it swings with whatever build is running).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { generateSite, newestRelease, prng, REPO_ROOT } from '../bench/generate-site.mjs';
import { Editor } from './editor.mjs';
import { burst, burstTargets, median, procMemory, stalePages } from './probes.mjs';

const NOW = '2026-11-27T00:00:00Z';
const MB = 2 ** 20;
const GOAL_GROWTH_MB = 50;
/** Quiet time (no build) after the last edit before the end checks: longer than the server's 5 s sweep. */
const SETTLE_QUIET_MS = 10_000;
const SETTLE_MAX_MS = 5 * 60_000;
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes) => (Number.isFinite(bytes) ? `${(bytes / MB).toFixed(1)} MB` : 'n/a');
const elapsed = (since) => (performance.now() - since) / 1000;
const log = (line) => process.stderr.write(`soak: ${line}\n`);

function options() {
  const { values } = parseArgs({
    options: {
      edits: { type: 'string', default: '10000' },
      minutes: { type: 'string', default: '10' },
      releases: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '20261127' },
      'warmup-minutes': { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const number = (name, value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${value}`);
    return n;
  };
  const minutes = number('minutes', values.minutes);
  return {
    edits: Math.round(number('edits', values.edits)),
    durationMs: minutes * 60_000,
    releases: Math.round(number('releases', values.releases)),
    seed: Math.round(number('seed', values.seed)),
    // A tenth of the run (a minute of ten) warms up: caches fill, the JIT settles, the heap finds its size.
    warmupMs: number('warmup-minutes', values['warmup-minutes'] ?? String(minutes / 10)) * 60_000,
    keep: values.keep,
  };
}

/** Starts `newsroom dev` on `root`; resolves once it serves, with its output so far and to come. */
async function startDev(root, tmp) {
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
      NOW,
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
      } else if (child.exitCode !== null || child.signalCode !== null) {
        clearInterval(timer);
        reject(new Error(`newsroom dev exited before serving:\n${[...dev.stdout, ...dev.stderr].join('\n')}`));
      }
    }, 100);
  });
  return { ...dev, url };
}

/** The server's memory after a forced collection (undefined if it does not answer within 30 s). */
function askMemory(dev) {
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
async function restingMemory(dev) {
  const samples = [];
  for (let i = 0; i < 3; i++) {
    const memory = await askMemory(dev);
    if (memory) samples.push(memory);
    await sleep(1_000);
  }
  return { rss: median(samples.map((s) => s.rss)), heapUsed: median(samples.map((s) => s.heapUsed)) };
}

/** Opens `url` in a tab that records its loads, dialogs and script errors. */
async function openTab(context, url) {
  const page = await context.newPage();
  const tab = { page, loads: 0, dialogs: 0, errors: [], crashed: false };
  page.on('load', () => tab.loads++);
  page.on('dialog', (dialog) => {
    tab.dialogs++;
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => tab.errors.push(error.message));
  page.on('crash', () => {
    tab.crashed = true;
  });
  await page.goto(url, { waitUntil: 'load' });
  tab.loads = 0; // only the reloads live reload makes count from here
  return tab;
}

/** Whether the tab shows `text` in `selector` within `ms` (it may be reloading meanwhile). */
async function shows(tab, selector, text, ms = 30_000) {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const seen = await tab.page.evaluate((s) => document.querySelector(s)?.textContent ?? '', selector).catch(() => '');
    if (seen.includes(text)) return true;
    await sleep(250);
  }
  return false;
}

/**
 * Waits until a build that started after the last edit has ended well (a build line gives its end and length, so
 * its start), then no build for {@link SETTLE_QUIET_MS}, which covers the server's own sweep of the sources.
 * Resolves with the seconds waited.
 */
async function settle(dev, lastEditAt, quietMs = SETTLE_QUIET_MS) {
  const started = performance.now();
  while (performance.now() - started < SETTLE_MAX_MS) {
    const after = dev.builds.done.some((b) => b.end - b.ms > lastEditAt);
    if (after && performance.now() - dev.lastBuildAt >= quietMs) break;
    await sleep(200);
  }
  return elapsed(started);
}

/** The directory the dev server serves, under the TMPDIR it was given. */
async function devDirectory(tmp, pid) {
  const names = (await readdir(path.join(tmp, 'tmp'))).filter((n) => n.startsWith(`newsroom-dev-${pid}-`));
  if (names.length !== 1) throw new Error(`expected one dev directory for process ${pid}, found ${names.length}`);
  return path.join(tmp, 'tmp', names[0]);
}

/** Stack-trace lines and anything else on stderr that is neither a diagnostic nor a `newsroom:` line. */
function unexpectedStderr(lines) {
  const diagnostic = /^[^\s:][^:]*:\d+:\d+: .* \[[\w/-]+\]$/;
  const stack = lines.filter((l) => /^\s+at \S/.test(l) || /^\w*Error\b/.test(l));
  const other = lines.filter((l) => !diagnostic.test(l) && !l.startsWith('newsroom: ') && l.trim() !== '');
  return { stack, other };
}

/** A Markdown table. */
function table(header, rows) {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map(() => '---').join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

async function main() {
  const opts = options();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'newsroom-soak-'));
  const root = path.join(tmp, 'site');
  await mkdir(path.join(tmp, 'tmp'));
  let dev;
  let browser;
  try {
    log(`generating ${opts.releases} releases in ${root}`);
    const files = await generateSite(root, opts.releases);
    const pinned = await newestRelease(root, files);
    const editor = new Editor(root, files, { seed: opts.seed, pinned, stable: 50, edits: opts.edits });
    await editor.load();

    log('starting newsroom dev (first build)');
    const coldStart = performance.now();
    dev = await startDev(root, tmp);
    const pid = dev.child.pid;
    log(`serving ${dev.url} (pid ${pid}) after ${elapsed(coldStart).toFixed(1)} s`);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext();
    const [pinnedUrl] = editor.stableUrls();
    const tabs = [await openTab(context, new URL(pinnedUrl, dev.url).href), await openTab(context, `${dev.url}news/`)];

    // Memory: /proc every second (the raw peak), and the server's own figures after a forced GC every 5 s.
    const samples = [];
    const procSamples = [];
    const started = performance.now();
    let sampling = true;
    const sampler = (async () => {
      let lastGc = 0;
      while (sampling) {
        const t = performance.now() - started;
        procSamples.push({ t, ...(await procMemory(pid)) });
        if (t - lastGc >= 5_000) {
          lastGc = t;
          const memory = await askMemory(dev);
          if (memory) samples.push({ t: performance.now() - started, ...memory });
        }
        await sleep(1_000);
      }
    })();

    const random = prng(opts.seed + 1);
    const bursts = [];
    const editErrors = [];
    let made = 0;
    let lastEditAt = performance.now();
    // After warm-up the edits pause until the server is at rest, for a resting baseline (see the summary).
    const warmupEdits = Math.min(opts.edits - 1, Math.round((opts.edits * opts.warmupMs) / opts.durationMs));
    let paused = 0;
    // Replaced when the pause is made (always, unless the server died first).
    let rest = { baseline: { rss: Number.NaN, heapUsed: Number.NaN }, from: opts.warmupMs, to: opts.warmupMs };
    const interval = opts.durationMs / opts.edits;
    log(`making ${opts.edits} edits over ${opts.durationMs / 60_000} min (one every ${interval.toFixed(0)} ms)`);
    for (let n = 0; n < opts.edits; n++) {
      if (n === warmupEdits) {
        const pauseStart = performance.now();
        await settle(dev, lastEditAt, 3_000);
        const baseline = await restingMemory(dev);
        paused = performance.now() - pauseStart;
        rest = { baseline, from: pauseStart - started, to: pauseStart - started + paused };
        log(`warm-up done: at rest after ${(paused / 1000).toFixed(1)} s, RSS after GC ${mb(baseline.rss)}`);
      }
      const due = started + paused + n * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (n === Math.floor(opts.edits / 2)) {
        // Not awaited: the edits go on while the requests are served.
        bursts.push({ when: 'mid-soak', result: burst(dev.url, burstTargets(editor.stableUrls(), random)) });
      }
      try {
        await editor.step(n);
        lastEditAt = performance.now();
        made++;
      } catch (cause) {
        editErrors.push(`edit ${n}: ${cause.message}`);
      }
      if (n > 0 && n % 1000 === 0) {
        const gc = samples.at(-1);
        log(
          `${n} edits, ${elapsed(started).toFixed(0)} s, ${dev.builds.ok} builds ok, ${dev.builds.failed} failed, ` +
            `RSS after GC ${mb(gc?.rss)}`,
        );
      }
      if (dev.child.exitCode !== null || dev.child.signalCode !== null) break;
    }
    const editsMs = performance.now() - started;
    log(`edits done in ${(editsMs / 1000).toFixed(1)} s; waiting for the server to settle`);
    const settledIn = await settle(dev, lastEditAt);
    sampling = false;
    await sampler;
    const finalMemory = await restingMemory(dev);

    bursts.push({ when: 'end', result: burst(dev.url, burstTargets(editor.stableUrls(), random)) });
    const burstResults = await Promise.all(bursts.map(async (b) => ({ when: b.when, ...(await b.result) })));

    log('building the final files cleanly and comparing every page');
    const { build } = await import('../lib/build.js');
    const cleanDir = path.join(tmp, 'clean');
    const cleanBuild = await build({
      root,
      out: cleanDir,
      now: new Date(NOW),
      includeDrafts: false,
      write: true,
      search: false,
      deploy: false,
    });
    const cleanErrors = cleanBuild.diagnostics.filter((d) => d.severity === 'error');
    const devDir = await devDirectory(tmp, pid);
    const stale = await stalePages(dev.url, devDir, cleanDir, editor.gone);
    // Whether stale pages were only late (the server's sweep fixes them) or stay: told apart, never hidden.
    let staleLater;
    if (stale.problems.length > 0) {
      await sleep(15_000);
      staleLater = await stalePages(dev.url, devDir, cleanDir, editor.gone);
    }
    const finalShown = await shows(tabs[0], 'h1', editor.finalTitle);
    const indexShows = await shows(tabs[1], 'main', editor.finalTitle);

    const alive = dev.child.exitCode === null && dev.child.signalCode === null;
    dev.child.kill('SIGINT');
    const exit = await Promise.race([dev.exited, sleep(30_000).then(() => ({ code: 'no exit in 30 s' }))]);
    const stderr = unexpectedStderr(dev.stderr);

    // Memory: the medians of the post-GC samples of the first window after warm-up and of the last window.
    // Two measures of growth after warm-up. At rest (the goal): after a forced GC with no build running, right after
    // warm-up and once the server settled at the end, the same state twice. Under load (shown too): the medians of
    // the samples of the first window after the pause and of the last window of edits; these include whatever the
    // build running at each sample holds (a layout edit re-renders every page), so they swing by tens of MB.
    const restGrowth = finalMemory.rss - rest.baseline.rss;
    const restHeapGrowth = finalMemory.heapUsed - rest.baseline.heapUsed;
    const window = Math.min(60_000, (editsMs - rest.to) / 3);
    const inWindow = (from, to) => samples.filter((s) => s.t >= from && s.t < to);
    const first = inWindow(rest.to, rest.to + window);
    const last = inWindow(editsMs - window, editsMs + 1);
    const baseline = median(first.map((s) => s.rss));
    const end = median(last.map((s) => s.rss));
    const growth = end - baseline;
    const heapGrowth = median(last.map((s) => s.heapUsed)) - median(first.map((s) => s.heapUsed));
    const afterWarmup = samples.filter((s) => s.t >= rest.to);
    const peakGc = Math.max(...afterWarmup.map((s) => s.rss));
    const peakRaw = Math.max(...procSamples.map((s) => s.rss));
    const hwm = Math.max(...procSamples.map((s) => s.peak));

    // The last build's outcome: ok only once every broken front matter was fixed.
    const lastBuild = { ok: dev.lastBuildOk, line: dev.lastBuildLine };
    const requests = burstResults.reduce((sum, b) => sum + b.ok + b.failed, 0);
    const failedRequests = burstResults.reduce((sum, b) => sum + b.failed, 0);
    const goals = [
      ['edits made', made === opts.edits && editErrors.length === 0, `${made} of ${opts.edits}`],
      ['no crash', alive && exit.code === 0, `running at the end: ${alive}; exit code after Ctrl-C: ${exit.code}`],
      ['no stack traces on stderr', stderr.stack.length === 0, `${stderr.stack.length} lines`],
      ['no stale pages', stale.problems.length === 0 && cleanErrors.length === 0, `${stale.problems.length}`],
      [
        'the browser shows the last edit',
        finalShown && indexShows,
        `release page: ${finalShown}, news index: ${indexShows}`,
      ],
      ['concurrent requests served', failedRequests === 0, `${requests - failedRequests} of ${requests}`],
      [
        `memory growth after warm-up < ${GOAL_GROWTH_MB} MB (RSS at rest after GC)`,
        Number.isFinite(restGrowth) && restGrowth < GOAL_GROWTH_MB * MB,
        `${mb(restGrowth)} (under load: ${mb(growth)})`,
      ],
      ['build errors cleared at the end', lastBuild.ok, lastBuild.line],
    ];

    console.log(`\n## newsroom dev soak: ${opts.releases} releases, seed ${opts.seed}\n`);
    const counts = Object.entries(editor.counts)
      .filter(([, c]) => c > 0)
      .map(([k, c]) => `${k} ${c}`)
      .join(', ');
    table(
      ['figure', 'value'],
      [
        ['edits made', `${made} (${counts}); saves: ${editor.saves.inPlace} in place, ${editor.saves.atomic} atomic`],
        [
          'duration of the edits',
          `${(editsMs / 1000).toFixed(1)} s with the pause after warm-up, ${((editsMs - paused) / 1000).toFixed(1)} s ` +
            `without (${((made / (editsMs - paused)) * 1000).toFixed(1)} edits/s)`,
        ],
        ['settled after the last edit', `${settledIn.toFixed(1)} s`],
        [
          'builds',
          `${dev.builds.ok + dev.builds.failed} (${dev.builds.ok} ok, ${dev.builds.failed} failed); build ms median ` +
            `${median(dev.builds.ms)}, max ${Math.max(...dev.builds.ms)}`,
        ],
        [
          'errors reported and cleared',
          `${editor.counts.break} front matters broken, ${dev.builds.failed} failed builds reported, ` +
            `${editor.counts.fix} fixes; last build: ${lastBuild.ok ? 'ok' : 'FAILED'}`,
        ],
        [
          'memory at rest (RSS after forced GC, no build running)',
          `after warm-up ${mb(rest.baseline.rss)} (edits paused ${(paused / 1000).toFixed(1)} s at ` +
            `${(rest.from / 1000).toFixed(0)} s), at the end ${mb(finalMemory.rss)}, growth ${mb(restGrowth)}; ` +
            `JS heap ${mb(rest.baseline.heapUsed)} -> ${mb(finalMemory.heapUsed)}, growth ${mb(restHeapGrowth)}`,
        ],
        [
          'memory under load (RSS after forced GC)',
          `baseline ${mb(baseline)} (median of ${first.length} samples, ${(rest.to / 1000).toFixed(0)}-` +
            `${((rest.to + window) / 1000).toFixed(0)} s), peak ${mb(peakGc)}, end ${mb(end)} (median of ` +
            `${last.length}, last ${(window / 1000).toFixed(0)} s), growth ${mb(growth)}`,
        ],
        [
          'memory under load (JS heap used after forced GC)',
          `baseline ${mb(median(first.map((s) => s.heapUsed)))}, end ${mb(median(last.map((s) => s.heapUsed)))}, growth ${mb(heapGrowth)}`,
        ],
        ['memory (raw RSS from /proc, no GC)', `peak ${mb(peakRaw)} (sampled each second), high-water mark ${mb(hwm)}`],
        ...burstResults.map((b) => [`200 concurrent requests, ${b.when}`, `${b.ok} ok, ${b.failed} failed`]),
        [
          'stale pages',
          `${stale.problems.length} (checked ${stale.checked.files} files in the dev directory, ${stale.checked.urls} ` +
            `URLs over HTTP, ${stale.checked.gone} removed releases' URLs)` +
            (staleLater ? `; 15 s later: ${staleLater.problems.length}` : ''),
        ],
        ['clean build of the final files', `${cleanBuild.stats.pages} pages, ${cleanErrors.length} errors`],
        [
          'browser',
          tabs
            .map(
              (t, i) =>
                `${i === 0 ? 'release page' : 'news index'}: ${t.loads} live reloads, ${t.dialogs} dialogs, ` +
                `${t.errors.length} script errors${t.crashed ? ', CRASHED' : ''}`,
            )
            .join('; '),
        ],
        ['process', `exit code ${exit.code} after Ctrl-C; ${stderr.stack.length} stack-trace lines on stderr`],
      ],
    );
    console.log('\nMemory over time (samples after a forced GC)\n');
    const minutes = Math.ceil(editsMs / 60_000);
    table(
      ['minute', 'RSS median', 'heap used median', 'raw RSS max'],
      Array.from({ length: minutes }, (_, m) => {
        const own = samples.filter((s) => s.t >= m * 60_000 && s.t < (m + 1) * 60_000);
        const raw = procSamples.filter((s) => s.t >= m * 60_000 && s.t < (m + 1) * 60_000);
        return [
          String(m + 1),
          mb(median(own.map((s) => s.rss))),
          mb(median(own.map((s) => s.heapUsed))),
          mb(Math.max(...raw.map((s) => s.rss))),
        ];
      }),
    );
    console.log('\nGoals\n');
    table(
      ['goal', 'met', 'figure'],
      goals.map(([goal, met, figure]) => [goal, met ? 'yes' : '**NO**', figure]),
    );
    const details = [
      ...editErrors,
      ...stale.problems.slice(0, 30),
      ...cleanErrors.map((d) => `clean build: ${d.file}:${d.line}: ${d.message}`),
      ...burstResults.flatMap((b) => b.failures.slice(0, 20).map((f) => `${b.when}: ${f}`)),
      ...stderr.stack.slice(0, 20),
      ...stderr.other.slice(0, 20).map((l) => `stderr: ${l}`),
      ...tabs.flatMap((t) => t.errors.slice(0, 5).map((e) => `browser: ${e}`)),
    ];
    if (details.length > 0) console.log(`\nDetails\n\n${details.map((d) => `- ${d}`).join('\n')}`);
    if (opts.keep) log(`kept ${tmp}`);
    return goals.every(([, met]) => met) ? 0 : 1;
  } finally {
    await browser?.close().catch(() => undefined);
    if (dev && dev.child.exitCode === null && dev.child.signalCode === null) dev.child.kill('SIGKILL');
    if (!opts.keep) await rm(tmp, { recursive: true, force: true });
  }
}

process.exitCode = await main();
