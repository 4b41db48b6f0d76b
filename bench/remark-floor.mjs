// The floor of a cold build while remark is the Markdown engine, against Eleventy's whole cold build; run by hand.
//
//   node bench/remark-floor.mjs [--sizes 4000,10000] [--runs 5]
//
// The issue asks for a cold build in at most 0.75x of Eleventy's time, with remark kept. This measures the part of
// that no design can avoid: turning every release body into HTML with remark. For each size, one corpus is
// generated (bench/generate-site.mjs) and laid out for Eleventy as bench/run.mjs does, and runs alternate between:
//   Eleventy        its whole cold build at its defaults (markdown-it, templates, pagination, writes)
//   remark ...      a process that starts one worker thread per core, reads every release, cuts off its front
//                   matter and turns the body into HTML with remark + remark-html, and nothing else: no front matter
//                   parsing, no template, no file written. Variants:
//                     CommonMark             remark alone
//                     GFM tables+strike      the least the target asks for (what Eleventy's markdown-it renders)
//                     Newsroom's pipeline    lib/markdown/processor.js (GFM, datelines, site links, sanitizing)
// When a floor row's ratio is above 0.75, the cold target cannot be met with that Markdown, whatever else a build
// does. A Markdown table goes to stdout, progress to stderr.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { generateSite, REPO_ROOT } from './generate-site.mjs';
import {
  count,
  ELEVENTY_PACKAGE,
  eleventyCommand,
  GNU_TIME,
  log,
  measure,
  median,
  prepareEleventy,
  seconds,
} from './measure.mjs';

const SELF = import.meta.filename;
const GOAL = 0.75;

/** The Markdown pipelines measured, each a function from a body to HTML, made in the worker thread. */
const VARIANTS = {
  commonmark: {
    label: 'remark: CommonMark',
    async make() {
      const [{ remark }, { default: remarkHtml }] = await Promise.all([import('remark'), import('remark-html')]);
      const processor = remark().use(remarkHtml).freeze();
      return (body) => String(processor.processSync(body));
    },
  },
  tables: {
    label: 'remark: GFM tables+strike',
    async make() {
      const [{ remark }, { default: remarkHtml }, table, strike, tableMd, strikeMd] = await Promise.all([
        import('remark'),
        import('remark-html'),
        import('micromark-extension-gfm-table'),
        import('micromark-extension-gfm-strikethrough'),
        import('mdast-util-gfm-table'),
        import('mdast-util-gfm-strikethrough'),
      ]);
      function tablesAndStrikethrough() {
        const data = this.data();
        data.micromarkExtensions = [table.gfmTable(), strike.gfmStrikethrough()];
        data.fromMarkdownExtensions = [tableMd.gfmTableFromMarkdown(), strikeMd.gfmStrikethroughFromMarkdown()];
      }
      const processor = remark().use(tablesAndStrikethrough).use(remarkHtml).freeze();
      return (body) => String(processor.processSync(body));
    },
  },
  newsroom: {
    label: "remark: Newsroom's pipeline",
    async make() {
      const { createMarkdownProcessor } = await import(path.join(REPO_ROOT, 'lib/markdown/processor.js'));
      return createMarkdownProcessor();
    },
  },
};

/** The body of a release: what follows its front matter. */
function bodyOf(text) {
  if (!text.startsWith('---')) return text;
  const end = text.indexOf('\n---', 3);
  return end === -1 ? text : text.slice(text.indexOf('\n', end + 4) + 1);
}

/** A worker thread: turns its share of the files into HTML and reports how many characters it made. */
async function work({ variant, files }) {
  const render = await VARIANTS[variant].make();
  let chars = 0;
  for (const file of files) chars += render(bodyOf(readFileSync(file, 'utf8'))).length;
  parentPort.postMessage(chars);
}

/** The measured process: lists the releases and shares them out to one worker thread per core. */
async function floor(variant, dir) {
  const files = (await readdir(dir, { recursive: true }))
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join(dir, name));
  const threads = os.availableParallelism();
  const shares = Array.from({ length: threads }, (_, i) => files.filter((_, j) => j % threads === i));
  const made = await Promise.all(
    shares.map(
      (share) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(SELF, { workerData: { variant, files: share } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  process.stdout.write(`${files.length} bodies, ${made.reduce((a, b) => a + b, 0)} characters of HTML\n`);
}

async function main() {
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, runs: { type: 'string' } } });
  const sizes = (values.sizes ?? '4000,10000').split(',').map(Number);
  const runs = Number(values.runs ?? 5);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes takes counts, not ${values.sizes}`);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs must be a positive whole number, not ${values.runs}`);
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} (GNU time) is needed: apt-get install time`);
  if (!existsSync(ELEVENTY_PACKAGE)) throw new Error('Eleventy is not installed: npm ci --prefix bench');
  if (!existsSync(path.join(REPO_ROOT, 'lib/markdown/processor.js'))) {
    const prepare = spawnSync('npm', ['run', 'prepare'], { cwd: REPO_ROOT, stdio: ['ignore', 2, 2] });
    if (prepare.status !== 0) throw new Error('npm run prepare failed');
  }
  const lines = [
    `| size | what | median wall s | min-max s | median CPU s | wall ratio | goal (<= ${GOAL}x) |`,
    '| ---: | --- | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const size of sizes) {
    const tmp = await mkdtemp(path.join(os.tmpdir(), `newsroom-remark-floor-${size}-`));
    try {
      const site = path.join(tmp, 'site');
      await generateSite(site, size);
      const eleventyDir = path.join(tmp, 'eleventy');
      await prepareEleventy(site, eleventyDir);
      const eleventy = eleventyCommand(eleventyDir);
      const news = path.join(site, 'content/news');
      const rows = [
        { label: 'Eleventy: whole cold build', command: eleventy },
        ...Object.entries(VARIANTS).map(([name, variant]) => ({
          label: variant.label,
          command: { cwd: REPO_ROOT, args: [SELF, '--floor', name, news], clean: [] },
        })),
      ].map((row) => ({ ...row, runs: [] }));
      const timeFile = path.join(tmp, 'time.txt');
      for (let i = 0; i <= runs; i++) {
        for (const row of rows) {
          await Promise.all(row.command.clean.map((dir) => rm(dir, { recursive: true, force: true })));
          const result = await measure(row.command, timeFile);
          if (!result.ok) throw new Error(`${row.label} failed (exit ${result.exit}):\n${result.output}`);
          // The first round warms the page cache and is not counted.
          if (i > 0) row.runs.push(result);
          log(`${size} ${row.label} ${i === 0 ? 'warm-up' : `${i}/${runs}`}: ${seconds(result.wallS)} s`);
        }
      }
      const peer = median(rows[0].runs.map((r) => r.wallS));
      for (const row of rows) {
        const walls = row.runs.map((r) => r.wallS);
        const wall = median(walls);
        const ratio = wall / peer;
        const goal = row === rows[0] ? '' : ratio > GOAL ? 'above: cannot be met' : 'leaves room';
        const cells = [
          count(size),
          row.label,
          seconds(wall),
          `${seconds(Math.min(...walls))}-${seconds(Math.max(...walls))}`,
        ];
        cells.push(
          seconds(median(row.runs.map((r) => r.cpuS))),
          row === rows[0] ? '1 (peer)' : `${ratio.toFixed(2)}x`,
          goal,
        );
        lines.push(`| ${cells.join(' | ')} |`);
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  const cpus = os.cpus();
  console.log(
    `Machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores; Node ${process.version}; ${new Date().toISOString()}`,
  );
  console.log(`Threads for the remark rows: ${os.availableParallelism()}. Runs per row: ${runs}, after one warm-up.\n`);
  console.log(lines.join('\n'));
}

if (!isMainThread) await work(workerData);
else if (process.argv[2] === '--floor') await floor(process.argv[3], process.argv[4]);
else await main();
