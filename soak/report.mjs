// The soak test's verdict and summary: the goals a run must meet, and its figures as Markdown tables on stdout (the
// progress lines go to stderr), so a run's summary can be kept or pasted as it is.
import { median } from './probes.mjs';

const MB = 2 ** 20;
const GOAL_GROWTH_MB = 50;

/** Bytes in MB with one decimal ('n/a' for no figure, such as the median of no samples). */
export const mb = (bytes) => (Number.isFinite(bytes) ? `${(bytes / MB).toFixed(1)} MB` : 'n/a');

/** A Markdown table. */
function table(header, rows) {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map(() => '---').join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

/** The goals of a soak, each `[goal, met, figure]`; the run fails when one is not met. */
export function goals(run) {
  const { opts, made, editErrors, alive, exit, stderr, stale, cleanErrors, memory, lastBuild } = run;
  const requests = run.bursts.reduce((sum, b) => sum + b.ok + b.failed, 0);
  const failed = run.bursts.reduce((sum, b) => sum + b.failed, 0);
  return [
    ['edits made', made === opts.edits && editErrors.length === 0, `${made} of ${opts.edits}`],
    ['no crash', alive && exit.code === 0, `running at the end: ${alive}; exit code after Ctrl-C: ${exit.code}`],
    ['no stack traces on stderr', stderr.stack.length === 0, `${stderr.stack.length} lines`],
    ['no stale pages', stale.problems.length === 0 && cleanErrors.length === 0, `${stale.problems.length}`],
    [
      'the browser shows the last edit',
      run.finalShown && run.indexShows,
      `release page: ${run.finalShown}, news index: ${run.indexShows}`,
    ],
    ['concurrent requests served', failed === 0, `${requests - failed} of ${requests}`],
    [
      `memory growth after warm-up < ${GOAL_GROWTH_MB} MB (RSS at rest after GC)`,
      Number.isFinite(memory.restGrowth) && memory.restGrowth < GOAL_GROWTH_MB * MB,
      `${mb(memory.restGrowth)} (under load: ${mb(memory.growth)})`,
    ],
    ['build errors cleared at the end', lastBuild.ok, lastBuild.line],
  ];
}

/** The figures of a run, one row each. */
function figures(run) {
  const { made, editor, editsMs, paused, builds, lastBuild, rest, finalMemory, memory: m, stale, exit } = run;
  const counts = Object.entries(editor.counts)
    .filter(([, c]) => c > 0)
    .map(([k, c]) => `${k} ${c}`)
    .join(', ');
  return [
    ['edits made', `${made} (${counts}); saves: ${editor.saves.inPlace} in place, ${editor.saves.atomic} atomic`],
    [
      'duration of the edits',
      `${(editsMs / 1000).toFixed(1)} s with the pause after warm-up, ${((editsMs - paused) / 1000).toFixed(1)} s ` +
        `without (${((made / (editsMs - paused)) * 1000).toFixed(1)} edits/s)`,
    ],
    ['settled after the last edit', `${run.settledIn.toFixed(1)} s`],
    [
      'builds',
      `${builds.ok + builds.failed} (${builds.ok} ok, ${builds.failed} failed); build ms median ` +
        `${median(builds.ms)}, max ${Math.max(...builds.ms)}`,
    ],
    [
      'errors reported and cleared',
      `${editor.counts.break} front matters broken, ${builds.failed} failed builds reported, ` +
        `${editor.counts.fix} fixes; last build: ${lastBuild.ok ? 'ok' : 'FAILED'}`,
    ],
    [
      'memory at rest (RSS after forced GC, no build running)',
      `after warm-up ${mb(rest.baseline.rss)} (edits paused ${(paused / 1000).toFixed(1)} s at ` +
        `${(rest.from / 1000).toFixed(0)} s), at the end ${mb(finalMemory.rss)}, growth ${mb(m.restGrowth)}; ` +
        `JS heap ${mb(rest.baseline.heapUsed)} -> ${mb(finalMemory.heapUsed)}, growth ${mb(m.restHeapGrowth)}`,
    ],
    [
      'memory under load (RSS after forced GC)',
      `baseline ${mb(m.baseline)} (median of ${m.first.length} samples, ${(rest.to / 1000).toFixed(0)}-` +
        `${((rest.to + m.window) / 1000).toFixed(0)} s), peak ${mb(m.peakGc)}, end ${mb(m.end)} (median of ` +
        `${m.last.length}, last ${(m.window / 1000).toFixed(0)} s), growth ${mb(m.growth)}`,
    ],
    [
      'memory under load (JS heap used after forced GC)',
      `baseline ${mb(median(m.first.map((s) => s.heapUsed)))}, end ${mb(median(m.last.map((s) => s.heapUsed)))}, growth ${mb(m.heapGrowth)}`,
    ],
    ['memory (raw RSS from /proc, no GC)', `peak ${mb(m.peakRaw)} (sampled each second), high-water mark ${mb(m.hwm)}`],
    ...run.bursts.map((b) => [`200 concurrent requests, ${b.when}`, `${b.ok} ok, ${b.failed} failed`]),
    [
      'stale pages',
      `${stale.problems.length} (checked ${stale.checked.files} files in the dev directory, ${stale.checked.urls} ` +
        `URLs over HTTP, ${stale.checked.gone} removed releases' URLs)` +
        (run.staleLater ? `; 15 s later: ${run.staleLater.problems.length}` : ''),
    ],
    ['clean build of the final files', `${run.cleanBuild.stats.pages} pages, ${run.cleanErrors.length} errors`],
    [
      'browser',
      run.tabs
        .map(
          (t, i) =>
            `${i === 0 ? 'release page' : 'news index'}: ${t.loads} live reloads, ${t.dialogs} dialogs, ` +
            `${t.errors.length} script errors${t.crashed ? ', CRASHED' : ''}`,
        )
        .join('; '),
    ],
    ['process', `exit code ${exit.code} after Ctrl-C; ${run.stderr.stack.length} stack-trace lines on stderr`],
  ];
}

/** Prints the summary of a run to stdout: its figures, its memory minute by minute, its goals, what went wrong. */
export function printReport(run, goalsMet) {
  const { opts, samples, procSamples } = run;
  console.log(`\n## newsroom dev soak: ${opts.releases} releases, seed ${opts.seed}\n`);
  table(['figure', 'value'], figures(run));
  console.log('\nMemory over time (samples after a forced GC)\n');
  const minutes = Math.ceil(run.editsMs / 60_000);
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
    goalsMet.map(([goal, met, figure]) => [goal, met ? 'yes' : '**NO**', figure]),
  );
  const details = [
    ...run.editErrors,
    ...run.stale.problems.slice(0, 30),
    ...run.cleanErrors.map((d) => `clean build: ${d.file}:${d.line}: ${d.message}`),
    ...run.bursts.flatMap((b) => b.failures.slice(0, 20).map((f) => `${b.when}: ${f}`)),
    ...run.stderr.stack.slice(0, 20),
    ...run.stderr.other.slice(0, 20).map((l) => `stderr: ${l}`),
    ...run.tabs.flatMap((t) => t.errors.slice(0, 5).map((e) => `browser: ${e}`)),
  ];
  if (details.length > 0) console.log(`\nDetails\n\n${details.map((d) => `- ${d}`).join('\n')}`);
}
