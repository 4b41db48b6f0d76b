// Side-by-side build benchmark: Newsroom against Eleventy 3 on the same generated releases, run by hand.
//
//   npm run bench -- [--sizes 1000,4000,10000] [--runs 5] [--json FILE] [--dev]
//
// For each size, one corpus is generated (bench/generate-site.mjs) into a temp directory, and an Eleventy project
// (bench/peers/eleventy) is laid out from the same releases. Each build is a child process run under GNU time:
// wall time from this process, CPU time (user + sys, children included) from GNU time, peak RSS of the process tree
// (Node, its worker threads, Pagefind) sampled from /proc. Scenarios:
//   cold            output and caches deleted before each run; Newsroom and Eleventy runs alternate
//   warm            Newsroom again with its cache and previous output, nothing changed
//   warm, 1 edit    Newsroom again after one sentence of the newest release changed (two texts in turn)
// Ratios are against Eleventy's cold median from the same run. A Markdown table goes to stdout, progress to stderr.
// --dev also runs bench/dev-latency.mjs (dev-server save-to-reload latency; alone: `npm run bench:dev`).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { editFirstSentence, generateSite, newestRelease, REPO_ROOT } from './generate-site.mjs';
import {
  count,
  ELEVENTY_PACKAGE,
  eleventyCommand,
  GNU_TIME,
  log,
  measure,
  median,
  prepareEleventy,
  SAMPLE_MS,
  seconds,
} from './measure.mjs';

/** The time embargoes are judged against: the generated releases are all older, so every build shows them all. */
const NOW = '2026-11-27T00:00:00Z';
/** From this size on, the default is one measured run and no warm-up (a build takes minutes). */
const LARGE = 100_000;
/** The issue's targets, as ratios to Eleventy's cold median. */
const GOALS = { cold: 0.75, warm: 0.1, edit: 0.15 };
const COLD_GOAL_SIZES = [4000, 10_000];
const RSS_GOAL_SIZE = 10_000;

/** Why a run failed, in a few words. */
function failure(run) {
  if (/heap out of memory|Allocation failed/.test(run.output)) return `out of memory (exit ${run.exit})`;
  return `exit ${run.exit}`;
}

/** Which of the flags the lead developer is adding `newsroom build` knows, from its --help. */
function newsroomFlags() {
  const help = spawnSync(process.execPath, ['bin/newsroom.js', '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (help.status !== 0) throw new Error(`newsroom --help failed:\n${help.stderr}`);
  return { cacheDir: help.stdout.includes('--cache-dir'), noSearch: help.stdout.includes('--no-search') };
}

/** Number of files under `dir`; 0 when a failed build left none. */
async function countFiles(dir) {
  if (!existsSync(dir)) return 0;
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).length;
}

/** Measures one size: corpus, then cold, warm and one-edit scenarios. Gives the rows of raw runs. */
async function benchSize(size, { runs, warmUp, flags }) {
  const tmp = await mkdtemp(path.join(os.tmpdir(), `newsroom-vs-eleventy-${size}-`));
  try {
    const site = path.join(tmp, 'site');
    const made = performance.now();
    const files = await generateSite(site, size);
    const generateS = (performance.now() - made) / 1000;
    log(`${size}: ${count(files.length)} releases generated in ${seconds(generateS)} s`);
    const eleventyDir = path.join(tmp, 'eleventy');
    await prepareEleventy(site, eleventyDir);
    const edited = await newestRelease(site, files);
    const original = await readFile(path.join(site, edited), 'utf8');
    const texts = [original, editFirstSentence(original)];
    if (texts[0] === texts[1]) throw new Error(`the edit of ${edited} changes nothing`);

    const out = path.join(tmp, 'newsroom-out');
    const cache = path.join(tmp, 'newsroom-cache');
    const newsroom = (extra) => ({
      cwd: REPO_ROOT,
      args: [
        'bin/newsroom.js',
        'build',
        ...['--root', site, '--out', out, '--now', NOW],
        ...(flags.cacheDir ? ['--cache-dir', cache] : []),
        ...extra,
      ],
      // Also the default cache dir, in case this build keeps one there and has no --cache-dir yet.
      clean: [out, cache, path.join(site, '.cache')],
    });
    const eleventy = eleventyCommand(eleventyDir);
    // --no-search runs before the full build, so the full build's output and cache are there for the warm runs.
    const cold = [
      ...(flags.noSearch ? [{ tool: 'Newsroom', variant: '--no-search', command: newsroom(['--no-search']) }] : []),
      { tool: 'Newsroom', variant: 'full build', command: newsroom([]) },
      { tool: 'Eleventy', variant: 'defaults', command: eleventy },
    ];
    const timeFile = path.join(tmp, 'time.txt');
    const run = async (label, command, before) => {
      await before?.();
      const result = await measure(command, timeFile);
      log(
        `${size} ${label}: ${result.ok ? `${seconds(result.wallS)} s, ${Math.round(result.rssMb)} MB` : failure(result)}`,
      );
      return result;
    };
    const clean = (command) => () => Promise.all(command.clean.map((dir) => rm(dir, { recursive: true, force: true })));

    const rows = cold.map((entry) => ({ scenario: 'cold', tool: entry.tool, variant: entry.variant, runs: [] }));
    if (warmUp) {
      for (const entry of cold) {
        await run(`cold warm-up ${entry.tool} ${entry.variant}`, entry.command, clean(entry.command));
      }
    }
    for (let i = 0; i < runs; i++) {
      for (const [j, entry] of cold.entries()) {
        const label = `cold ${entry.tool} ${entry.variant} ${i + 1}/${runs}`;
        rows[j].runs.push(await run(label, entry.command, clean(entry.command)));
      }
    }
    const outputFiles = {
      newsroom: await countFiles(out),
      eleventy: await countFiles(path.join(eleventyDir, '_site')),
    };

    const full = newsroom([]);
    const warm = { scenario: 'warm, no change', tool: 'Newsroom', variant: 'full build', runs: [] };
    if (warmUp) await run('warm warm-up', full);
    for (let i = 0; i < runs; i++) warm.runs.push(await run(`warm ${i + 1}/${runs}`, full));

    // Each write swaps the two texts, so every build sees a real change.
    let current = 0;
    const swap = () => {
      current = 1 - current;
      return writeFile(path.join(site, edited), texts[current]);
    };
    const edit = { scenario: 'warm, 1 release edited', tool: 'Newsroom', variant: 'full build', runs: [] };
    if (warmUp) await run('edit warm-up', full, swap);
    for (let i = 0; i < runs; i++) edit.runs.push(await run(`edit ${i + 1}/${runs}`, full, swap));

    // Like for like with Eleventy, which makes no search index: the same edits without one. The warm-up (always
    // run) takes the hit of the switch, which renders everything again under the other options.
    const edits = [edit];
    if (flags.noSearch) {
      const bare = newsroom(['--no-search']);
      const editBare = { scenario: 'warm, 1 release edited', tool: 'Newsroom', variant: '--no-search', runs: [] };
      await run('edit --no-search warm-up', bare, swap);
      for (let i = 0; i < runs; i++) editBare.runs.push(await run(`edit --no-search ${i + 1}/${runs}`, bare, swap));
      edits.push(editBare);
    }

    return { size, releases: files.length, generateS, outputFiles, edited, rows: [...rows, warm, ...edits] };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Medians over a row's successful runs. */
function summarize(row) {
  const ok = row.runs.filter((r) => r.ok);
  if (ok.length === 0) return undefined;
  const walls = ok.map((r) => r.wallS);
  return {
    wall: median(walls),
    min: Math.min(...walls),
    max: Math.max(...walls),
    cpu: median(ok.map((r) => r.cpuS)),
    rss: median(ok.map((r) => r.rssMb)),
  };
}

/** The goal cell of a Newsroom row, where the issue sets one. */
function goalCell(size, row, wallRatio, rssRatio) {
  const goals = [];
  const key = { cold: 'cold', 'warm, no change': 'warm', 'warm, 1 release edited': 'edit' }[row.scenario];
  if (key !== 'cold' || COLD_GOAL_SIZES.includes(size)) {
    goals.push(`wall <= ${GOALS[key]}x: ${wallRatio <= GOALS[key] ? 'met' : '**not met**'}`);
  }
  if (size === RSS_GOAL_SIZE && row.scenario === 'cold') {
    goals.push(`RSS < 1x: ${rssRatio < 1 ? 'met' : '**not met**'}`);
  }
  return goals.join(', ');
}

/** The Markdown table of all sizes. */
function table(results) {
  const lines = [
    '| size | scenario | tool / variant | median wall s | min-max s | median CPU s | median peak RSS MB | wall ratio | RSS ratio | goal |',
    '| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const { size, rows } of results) {
    const peer = summarize(rows.find((row) => row.tool === 'Eleventy'));
    for (const row of rows) {
      const s = summarize(row);
      const failed = row.runs.filter((r) => !r.ok);
      const name = `${row.tool} ${row.variant}${failed.length > 0 && s ? ` (${failed.length} of ${row.runs.length} failed)` : ''}`;
      const head = [count(size), row.scenario, name];
      if (!s) {
        lines.push(`| ${[...head, `failed: ${failure(failed[0])}`, '', '', '', '', '', ''].join(' | ')} |`);
        continue;
      }
      let ratios = ['n/a', 'n/a', 'Eleventy failed'];
      if (row.tool === 'Eleventy') ratios = ['1 (peer)', '1 (peer)', ''];
      else if (peer) {
        const wall = s.wall / peer.wall;
        const rss = s.rss / peer.rss;
        ratios = [`${wall.toFixed(2)}x`, `${rss.toFixed(2)}x`, goalCell(size, row, wall, rss)];
      }
      const cells = [seconds(s.wall), `${seconds(s.min)}-${seconds(s.max)}`, seconds(s.cpu), Math.round(s.rss)];
      lines.push(`| ${[...head, ...cells, ...ratios].join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

/** The machine and the versions, for the lines above the table. */
function machine() {
  const cpus = os.cpus();
  const version = (file) => JSON.parse(readFileSync(file, 'utf8')).version;
  return {
    cpu: cpus[0]?.model ?? 'unknown CPU',
    cores: cpus.length,
    ramGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    eleventy: version(path.join(ELEVENTY_PACKAGE, 'package.json')),
    newsroom: version(path.join(REPO_ROOT, 'package.json')),
    date: new Date().toISOString(),
    loadBefore: os.loadavg()[0],
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      runs: { type: 'string' },
      json: { type: 'string' },
      dev: { type: 'boolean', default: false },
    },
  });
  const sizes = (values.sizes ?? '1000,4000,10000').split(',').map((s) => s.trim());
  for (const size of sizes) if (!/^[1-9]\d*$/.test(size)) throw new Error(`--sizes takes counts, not ${size}`);
  const runs = values.runs === undefined ? undefined : Number(values.runs);
  if (runs !== undefined && !(Number.isInteger(runs) && runs >= 1)) {
    throw new Error(`--runs must be a positive whole number, not ${values.runs}`);
  }
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} (GNU time) is needed: apt-get install time`);
  if (!existsSync(ELEVENTY_PACKAGE)) throw new Error('Eleventy is not installed: npm ci --prefix bench');
  if (!existsSync(path.join(REPO_ROOT, 'lib/cli.js'))) {
    log('lib/ is missing: npm run prepare');
    const prepare = spawnSync('npm', ['run', 'prepare'], { cwd: REPO_ROOT, stdio: ['ignore', 2, 2] });
    if (prepare.status !== 0) throw new Error('npm run prepare failed');
  }
  const flags = newsroomFlags();
  const m = machine();

  const results = [];
  for (const size of sizes.map(Number)) {
    const large = size >= LARGE;
    results.push(await benchSize(size, { runs: runs ?? (large ? 1 : 5), warmUp: runs !== undefined || !large, flags }));
  }

  // Other work on the machine skews the figures: the load average before and after shows whether there was any.
  m.loadAfter = os.loadavg()[0];
  console.log(`Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGb} GB, ${m.os}`);
  console.log(`Node ${m.node}, Eleventy ${m.eleventy}, Newsroom ${m.newsroom}; started ${m.date}`);
  console.log(`1-minute load average: ${m.loadBefore.toFixed(2)} before, ${m.loadAfter.toFixed(2)} after`);
  const known = (flag, yes) => `${flag} ${yes ? 'passed' : 'not supported by this build'}`;
  console.log(`Newsroom flags: ${known('--cache-dir', flags.cacheDir)}, ${known('--no-search', flags.noSearch)}`);
  for (const r of results) {
    const each = r.rows.map((row) => row.runs.length);
    console.log(
      `${count(r.size)}: corpus generated in ${seconds(r.generateS)} s; output files: Newsroom ${count(r.outputFiles.newsroom)}, ` +
        `Eleventy ${count(r.outputFiles.eleventy)}; runs per row: ${Math.min(...each)}; edited: ${r.edited}`,
    );
  }
  console.log(
    '\nWall: whole process, from spawn to exit. CPU: user + sys, children included (GNU time). Peak RSS: the whole\n' +
      `process tree (Node, worker threads, Pagefind), sampled every ${SAMPLE_MS} ms. Ratios: Newsroom / Eleventy's cold median.\n`,
  );
  console.log(table(results));
  if (values.json) {
    await mkdir(path.dirname(path.resolve(values.json)), { recursive: true });
    await writeFile(values.json, `${JSON.stringify({ machine: m, flags, results }, null, 2)}\n`);
    log(`raw measurements written to ${values.json}`);
  }

  if (values.dev) {
    const devSizes = values.sizes ?? '1000,10000';
    console.log(`\nDev-server save-to-reload latency (node bench/dev-latency.mjs --sizes ${devSizes}):\n`);
    const dev = spawnSync(process.execPath, [path.join(BENCH, 'dev-latency.mjs'), '--sizes', devSizes], {
      stdio: 'inherit',
    });
    if (dev.status !== 0) throw new Error('bench/dev-latency.mjs failed');
  } else {
    console.log('\nDev-server edit latency: `npm run bench -- --dev`, or alone `npm run bench:dev`.');
  }
}

await main();
