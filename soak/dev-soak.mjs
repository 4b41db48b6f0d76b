// Soak test of `newsroom dev`: 10,000 edits over 10 minutes against a 1,000-release site with a browser connected.
//
//   npm run soak                                   # the whole run (compiles src/ into lib/ first)
//   node soak/dev-soak.mjs --edits 1000 --minutes 1 # a short one (after npm run prepare)
//   options: --edits N --minutes M --releases N --seed N --warmup-minutes M --keep (leave the temp dir)
//
// It generates a site (bench/generate-site.mjs, seeded), starts the real CLI (`node --expose-gc bin/newsroom.js dev`)
// as a child process (soak/dev-process.mjs), opens a release page and the news index in headless Chromium with live
// reload (soak/browser.mjs), and makes the edits at an even pace (soak/editor.mjs). Every few seconds it asks the
// server for its memory after a forced garbage collection (SIGUSR2 with NEWSROOM_DEV_MEMORY=1, see
// src/dev/memory-report.ts) and reads its RSS from /proc (soak/memory.mjs). Halfway and at the end it fires 200
// requests at once. Once the server settles, every file it serves must equal a clean build of the final files (the
// live-reload tag aside; soak/probes.mjs), and the browser must show the last edit. It prints a summary
// (soak/report.mjs) and exits 1 when a goal is missed: a crash, a stack trace, a stale page, a failed request, memory
// growth of 50 MB or more after warm-up. Memory is compared at rest: after warm-up the edits pause until no build
// runs, and the RSS after a forced GC then is compared with the same once the server settled at the end (growth under
// load, the medians of the first and last minutes of edits, is shown too: it swings with whatever build is running).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { generateSite, newestRelease, prng } from '../bench/generate-site.mjs';
import { launchBrowser, openTab, shows } from './browser.mjs';
import { devDirectory, restingMemory, running, settle, startDev, stopDev, unexpectedStderr } from './dev-process.mjs';
import { Editor } from './editor.mjs';
import { memoryGrowth, sampleMemory } from './memory.mjs';
import { burst, burstTargets, stalePages } from './probes.mjs';
import { goals, mb, printReport } from './report.mjs';

const NOW = '2026-11-27T00:00:00Z';

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
    dev = await startDev(root, tmp, NOW);
    const pid = dev.child.pid;
    log(`serving ${dev.url} (pid ${pid}) after ${elapsed(coldStart).toFixed(1)} s`);

    browser = await launchBrowser();
    const context = await browser.newContext();
    const [pinnedUrl] = editor.stableUrls();
    const tabs = [await openTab(context, new URL(pinnedUrl, dev.url).href), await openTab(context, `${dev.url}news/`)];

    const started = performance.now();
    const memory = sampleMemory(dev, started);

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
        const gc = memory.samples.at(-1);
        log(
          `${n} edits, ${elapsed(started).toFixed(0)} s, ${dev.builds.ok} builds ok, ${dev.builds.failed} failed, ` +
            `RSS after GC ${mb(gc?.rss)}`,
        );
      }
      if (!running(dev)) break;
    }
    const editsMs = performance.now() - started;
    log(`edits done in ${(editsMs / 1000).toFixed(1)} s; waiting for the server to settle`);
    const settledIn = await settle(dev, lastEditAt);
    await memory.stop();
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
    const { alive, exit } = await stopDev(dev);

    const run = {
      opts,
      editor,
      made,
      editErrors,
      editsMs,
      paused,
      settledIn,
      builds: dev.builds,
      // The last build's outcome: ok only once every broken front matter was fixed.
      lastBuild: { ok: dev.lastBuildOk, line: dev.lastBuildLine },
      rest,
      finalMemory,
      samples: memory.samples,
      procSamples: memory.procSamples,
      memory: memoryGrowth(memory, rest, finalMemory, editsMs),
      bursts: burstResults,
      cleanBuild,
      cleanErrors,
      stale,
      staleLater,
      tabs,
      finalShown,
      indexShows,
      alive,
      exit,
      stderr: unexpectedStderr(dev.stderr),
    };
    const met = goals(run);
    printReport(run, met);
    if (opts.keep) log(`kept ${tmp}`);
    return met.every(([, ok]) => ok) ? 0 : 1;
  } finally {
    await browser?.close().catch(() => undefined);
    if (dev && running(dev)) dev.child.kill('SIGKILL');
    if (!opts.keep) await rm(tmp, { recursive: true, force: true });
  }
}

process.exitCode = await main();
