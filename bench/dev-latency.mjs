// Save-to-reload latency of `newsroom dev`: from writing a file to the live-reload event reaching an open page.
//
//   npm run prepare && node bench/dev-latency.mjs [--sizes sample,1000,10000] [--runs 7]
//
// Each site runs in a real dev session (lib/dev/dev-session.js, the compiled src/), with chokidar watching real
// files and a real server-sent-events client on /__newsroom/events. t0 is taken just before `writeFile`, t1 when
// the `change` event of the build that saw the write arrives (the `state` event when the build changed nothing
// visible). Sites are made in the system's temp directory and removed afterwards.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { editFirstSentence, generateSite, newestRelease, REPO_ROOT } from './generate-site.mjs';

/** Goals for the largest site: median save-to-reload at 10,000 releases. */
const GOALS = { release: 100, partial: 2000 };
const GOAL_SIZE = 10_000;
/** Quiet time after a build settles, so a late watcher event is not counted in the next run. */
const SETTLE_MS = 300;
/** Longer than any build should take, so a lost watcher event fails loudly instead of hanging. */
const TIMEOUT_MS = 10 * 60_000;
const NOW = new Date('2026-11-27T00:00:00Z');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value) => (value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1));

/** A list that can be awaited for an item matching a predicate (items already there count). */
function waitableList() {
  const items = [];
  const waiters = new Set();
  return {
    items,
    push(item) {
      items.push(item);
      for (const waiter of waiters) {
        if (waiter.matches(item)) {
          waiters.delete(waiter);
          waiter.resolve(item);
        }
      }
    },
    waitFor(matches, what) {
      const found = items.find(matches);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { matches, resolve };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no ${what} within ${TIMEOUT_MS / 1000} s`));
        }, TIMEOUT_MS).unref();
        waiter.resolve = (item) => {
          clearTimeout(timer);
          resolve(item);
        };
        waiters.add(waiter);
      });
    },
  };
}

/** Connects to the live-reload stream as a page does; each event is logged with its arrival time. */
function connectEvents(siteUrl) {
  const events = waitableList();
  return new Promise((resolve, reject) => {
    const request = http.get(new URL('/__newsroom/events', siteUrl), { agent: false }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`the event stream answered ${response.statusCode}`));
        return;
      }
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk) => {
        const at = performance.now();
        buffer += chunk;
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop() ?? '';
        for (const block of blocks) {
          for (const line of block.split('\n')) {
            if (line.startsWith('data: ')) events.push({ at, ...JSON.parse(line.slice('data: '.length)) });
          }
        }
      });
      resolve({ events, close: () => request.destroy() });
    });
    request.on('error', reject);
  });
}

/** Two texts of one file to write in turn (the file's own text first), so every write is a real change. */
async function variants(root, file, edit) {
  const original = await readFile(path.join(root, file), 'utf8');
  const edited = edit(original);
  if (edited === original) throw new Error(`the ${file} edit changes nothing`);
  return [original, edited];
}

/** The three edits measured: one release's sentence, a partial every page uses, a navigation label. */
async function scenarios(root, releaseFiles) {
  const release = await newestRelease(root, releaseFiles);
  return [
    {
      name: 'release',
      label: 'one release edited',
      file: release,
      texts: await variants(root, release, editFirstSentence),
    },
    {
      name: 'partial',
      label: 'partials/nav.njk edited (every page)',
      file: 'templates/partials/nav.njk',
      texts: await variants(root, 'templates/partials/nav.njk', (text) => `${text}<!-- edited by the benchmark -->\n`),
    },
    {
      name: 'navigation',
      label: 'navigation.yaml label edited',
      file: 'content/_data/navigation.yaml',
      texts: await variants(root, 'content/_data/navigation.yaml', (text) =>
        text.replace(/^( *- label: )(.+)$/m, '$1$2 (edited)'),
      ),
    },
  ];
}

/** Starts a dev session on `root`, then measures each scenario `runs` times after a warm-up edit. */
async function measureSite(devSession, site, root, releaseFiles, runs) {
  const lines = [];
  const started = performance.now();
  const session = await devSession.start({
    root,
    host: '127.0.0.1',
    port: 0,
    includeDrafts: false,
    now: NOW,
    streams: { out: (line) => lines.push(line), err: (line) => lines.push(line) },
  });
  const startMs = performance.now() - started;
  const builds = waitableList();
  session.onBuild((build) => builds.push(build));
  let stream;
  try {
    const first = /built in (\d+) ms: .* (\d+) pages? rendered/.exec(lines.join('\n'));
    if (!first) throw new Error(`the first build of ${site} failed:\n${lines.join('\n')}`);
    const cold = {
      startMs,
      buildMs: Number(first[1]),
      pages: Number(first[2]),
      rssMb: process.memoryUsage().rss / 2 ** 20,
    };
    stream = await connectEvents(session.url);
    await stream.events.waitFor((e) => e.type === 'state', 'greeting');
    // Every build broadcasts `state` before listeners hear of it, so the events know the latest build number.
    const latest = () =>
      Math.max(0, ...stream.events.items.map((e) => e.build ?? 0), ...builds.items.map((b) => b.number));
    const edit = async (file, text) => {
      const before = latest();
      const t0 = performance.now();
      await writeFile(path.join(root, file), text);
      const build = await builds.waitFor((b) => b.number > before, `build after writing ${file}`);
      if (!build.ok) {
        throw new Error(
          `the build after editing ${file} failed:\n${build.diagnostics.map((d) => d.message).join('\n')}`,
        );
      }
      const { urls, css, otherAssets } = build.change;
      const type = urls.length > 0 || css.length > 0 || otherAssets ? 'change' : 'state';
      const event = await stream.events.waitFor((e) => e.type === type && e.build === build.number, `${type} event`);
      const latency = event.at - t0;
      await session.idle();
      await sleep(SETTLE_MS);
      await session.idle();
      return { latency, build, extraBuilds: latest() - build.number };
    };
    const rows = [];
    for (const scenario of await scenarios(root, releaseFiles)) {
      process.stderr.write(`  ${site}: ${scenario.label} ...`);
      await edit(scenario.file, scenario.texts[1]); // warm-up
      const measured = [];
      for (let run = 0; run < runs; run++) measured.push(await edit(scenario.file, scenario.texts[run % 2]));
      if (runs % 2 === 0) await edit(scenario.file, scenario.texts[0]); // back to the original for the next scenario
      process.stderr.write(` median ${ms(median(measured.map((m) => m.latency)))} ms\n`);
      rows.push({ scenario, measured });
    }
    return { cold, rows };
  } finally {
    stream?.close();
    await session.close();
  }
}

/** The goal cell of a row: only the 10,000-release site has goals. */
function goalCell(releases, scenario, medianMs) {
  const goal = GOALS[scenario.name];
  if (goal === undefined || releases !== GOAL_SIZE) return '';
  return `< ${goal.toLocaleString('en-US')} ms: ${medianMs < goal ? 'met' : '**not met**'}`;
}

/** Prints a Markdown table; `align` has an `l` or `r` per column. */
function printTable(header, align, rows) {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${[...align].map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

async function main() {
  const { values } = parseArgs({
    options: { sizes: { type: 'string', default: 'sample,1000,10000' }, runs: { type: 'string', default: '7' } },
  });
  const runs = Number(values.runs);
  const sizes = values.sizes.split(',').map((s) => s.trim());
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`--runs must be a positive whole number, not ${values.runs}`);
  }
  for (const size of sizes) {
    if (size !== 'sample' && !/^[1-9]\d*$/.test(size)) throw new Error(`--sizes takes sample or counts, not ${size}`);
  }
  let DevSession;
  try {
    ({ DevSession } = await import('../lib/dev/dev-session.js'));
  } catch (cause) {
    throw new Error('cannot load lib/dev/dev-session.js: run `npm run prepare` first', { cause });
  }

  const cpus = os.cpus();
  console.log(
    `Machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB`,
  );
  console.log(`Node ${process.version}, ${os.type()} ${os.release()} ${os.arch()}`);
  console.log(`Runs per scenario: ${runs} (after one warm-up edit)\n`);

  const results = [];
  for (const size of sizes) {
    const root = await mkdtemp(path.join(os.tmpdir(), `newsroom-bench-${size}-`));
    try {
      let releaseFiles;
      const made = performance.now();
      if (size === 'sample') {
        for (const folder of ['content', 'templates', 'public']) {
          await cp(path.join(REPO_ROOT, folder), path.join(root, folder), { recursive: true });
        }
        releaseFiles = (await readdir(path.join(root, 'content/news'), { recursive: true }))
          .filter((f) => f.endsWith('.md'))
          .map((f) => `content/news/${f.split(path.sep).join('/')}`);
      } else {
        releaseFiles = await generateSite(root, Number(size));
      }
      process.stderr.write(`${size}: ${releaseFiles.length} releases ready in ${ms(performance.now() - made)} ms\n`);
      const measured = await measureSite(DevSession, size, root, releaseFiles, runs);
      results.push({ site: size, releases: releaseFiles.length, ...measured });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }

  console.log('Cold start (DevSession.start: watcher ready, first full build, server listening)\n');
  printTable(
    ['site', 'releases', 'pages', 'first build ms', 'start total ms', 'RSS after MB'],
    'lrrrrr',
    results.map((r) => [
      r.site,
      r.releases.toLocaleString('en-US'),
      r.cold.pages.toLocaleString('en-US'),
      ms(r.cold.buildMs),
      ms(r.cold.startMs),
      Math.round(r.cold.rssMb),
    ]),
  );
  console.log('\nSave-to-reload latency (t0 before writeFile, t1 when the live-reload event arrives)\n');
  printTable(
    ['site', 'releases', 'scenario', 'median ms', 'min-max ms', 'build ms (median)', 'pages rendered', 'goal'],
    'lrlrrrrl',
    results.flatMap((r) =>
      r.rows.map(({ scenario, measured }) => {
        const latencies = measured.map((m) => m.latency);
        const rendered = [...new Set(measured.map((m) => m.build.rendered.toLocaleString('en-US')))].join('/');
        const extra = measured.reduce((sum, m) => sum + m.extraBuilds, 0);
        const label = scenario.label + (extra > 0 ? ` (${extra} extra builds)` : '');
        return [
          r.site,
          r.releases.toLocaleString('en-US'),
          label,
          ms(median(latencies)),
          `${ms(Math.min(...latencies))}-${ms(Math.max(...latencies))}`,
          ms(median(measured.map((m) => m.build.milliseconds))),
          rendered,
          goalCell(r.releases, scenario, median(latencies)),
        ];
      }),
    ),
  );
}

await main();
