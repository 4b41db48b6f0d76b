import { spawn } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeSite, REPO, release } from '../helpers/site.js';
import { hashTree } from '../helpers/tree.js';

// `npm test` kills 3 builds of a 5,000-release site without search; `npm run fuzz:kill` kills 20 with search.
// NEWSROOM_KILL_SEED replays a run (the seed is printed), NEWSROOM_KILL_RELEASES changes the site's size.
const TRIALS = Number(process.env.NEWSROOM_KILL_TRIALS ?? 3);
const SEED = Number(process.env.NEWSROOM_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SEARCH = process.env.NEWSROOM_KILL_SEARCH === '1';
const RELEASES = Number(process.env.NEWSROOM_KILL_RELEASES ?? 5000);
const NOW = '2026-01-01T00:00:00Z';
const HOOK = path.join(REPO, 'tests/helpers/kill-at.js');

type Snapshot = Record<string, string>;

const snapshot = (dir: string): Promise<Snapshot> => hashTree(dir);

const same = (a: Snapshot, b: Snapshot): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The releases of one version of the site: every page differs between versions. */
function releases(version: 'A' | 'B'): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < RELEASES; i++) {
    const day = String((i % 28) + 1).padStart(2, '0');
    const body = `Text of version ${version}.\n`.repeat(40);
    files[`content/news/r${i}.md`] = release({ title: `Release ${i} (${version})`, date: `2020-01-${day}` }, body);
  }
  return files;
}

/** Where a build is killed: after a time, at the nth call of a file-system operation, or at a rename of the swap. */
type Moment =
  | { readonly kind: 'time'; readonly fraction: number }
  | { readonly kind: 'call'; readonly op: string; readonly at: number; readonly when: 'before' | 'after' }
  | { readonly kind: 'swap'; readonly step: 0 | 1 | 2; readonly when: 'before' | 'after' };

/** A fraction in thousandths from 0 to max/1000, uniform (fc.double is uniform over floats, not values). */
const permille = (max: number) => fc.integer({ min: 0, max }).map((n) => n / 1000);
const OPS = ['writeFile', 'rename', 'rm', 'mkdir', 'mkdirSync', 'linkSync'];
const time = fc.record({ kind: fc.constant('time' as const), fraction: permille(1100) });
const call = fc.record({
  kind: fc.constant('call' as const),
  op: fc.constantFrom(...OPS),
  at: permille(999),
  when: fc.constantFrom('before' as const, 'after' as const),
});
const swap = fc.record({
  kind: fc.constant('swap' as const),
  step: fc.constantFrom(0 as const, 1 as const, 2 as const),
  when: fc.constantFrom('before' as const, 'after' as const),
});

/** The kill moments of a run, from its seed: kinds in turn (so 3 trials cover all three), the rest random. */
function schedule(seed: number, trials: number): Moment[] {
  const kinds = [time, call, swap] as const;
  return Array.from({ length: trials }, (_, i) => {
    const [moment] = fc.sample(fc.noBias(kinds[i % 3] as fc.Arbitrary<Moment>), { seed: seed + i, numRuns: 1 });
    if (!moment) throw new Error('fast-check gave no sample');
    return moment;
  });
}

/**
 * The file-system call the kill hook matches for each step of the swap: the marker, written last before the
 * exchange; removing the spare, just after it; and renaming the previous output (now the temporary tree) to the spare.
 */
function swapCall(step: 0 | 1 | 2): { readonly op: string; readonly match: string } {
  return [
    { op: 'writeFile', match: 'newsroom-tmp-[^/]*/\\.newsroom/build\\.json' },
    { op: 'rm', match: 'newsroom-spare$' },
    { op: 'rename', match: 'newsroom-tmp-[^/]* -> .*newsroom-spare$' },
  ][step] as { op: string; match: string };
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly milliseconds: number;
}

/** Runs the real bin's build of `root`; `kill` says when to kill it (at a time, or through the hook). */
function build(root: string, extra: readonly string[], env: Record<string, string> = {}, killAfter?: number) {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      path.join(REPO, 'bin/newsroom.js'),
      'build',
      '--root',
      root,
      '--now',
      NOW,
      ...(SEARCH ? [] : ['--no-search']),
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const timer = killAfter === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfter);
  return new Promise<Run>((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, milliseconds: performance.now() - started });
    }),
  );
}

/** Names beside the output that a build made (temporary trees, the old output mid-swap, the spare). */
async function besides(root: string): Promise<string[]> {
  return (await readdir(root)).filter((n) => n.includes('newsroom-')).sort();
}

describe('a build killed with SIGKILL', () => {
  it(
    `leaves exactly the previous site or exactly the new one, and the next build cleans up (${TRIALS} trials, ${RELEASES} releases${SEARCH ? ', with search' : ''})`,
    async () => {
      const moments = schedule(SEED, TRIALS);
      console.log(`kill trials: seed ${SEED} (replay with NEWSROOM_KILL_SEED=${SEED}): ${JSON.stringify(moments)}`);
      const root = await makeSite(releases('A'));
      const dist = path.join(root, 'dist');
      const trace = path.join(root, 'trace.json');
      const hook = { NODE_OPTIONS: `--import ${HOOK}` };

      // Both versions built clean, each into a directory of its own with a cache of its own: the references.
      const first = await build(root, []);
      expect(first.code, first.stderr).toBe(0);
      const sites: Record<'A' | 'B', Snapshot> = { A: await snapshot(dist), B: {} };
      for (const [file, text] of Object.entries(releases('B'))) await writeFile(path.join(root, file), text);
      const reference = await build(
        root,
        ['--out', path.join(root, 'reference'), '--cache-dir', path.join(root, 'reference-cache')],
        { ...hook, NEWSROOM_TEST_TRACE: trace },
      );
      expect(reference.code, reference.stderr).toBe(0);
      sites.B = await snapshot(path.join(root, 'reference'));
      expect(Object.keys(sites.B).length).toBeGreaterThan(RELEASES);
      expect(same(sites.A, sites.B)).toBe(false);
      const calls = JSON.parse(await readFile(trace, 'utf8')) as Record<string, number>;

      // Builds after the first are faster (the cache holds both versions): kill times scale with the last build that
      // finished, so that random times fall inside builds.
      let estimate = reference.milliseconds;
      let current: 'A' | 'B' = 'A';
      const outcomes: string[] = [];
      for (const [i, moment] of moments.entries()) {
        const target: 'A' | 'B' = current === 'A' ? 'B' : 'A';
        for (const [file, text] of Object.entries(releases(target))) await writeFile(path.join(root, file), text);
        const where = `trial ${i} (seed ${SEED}), killed at ${JSON.stringify(moment)}`;
        let run: Run;
        if (moment.kind === 'time') {
          run = await build(root, [], {}, Math.round(estimate * moment.fraction));
        } else {
          const kill =
            moment.kind === 'call'
              ? { op: moment.op, nth: 1 + Math.floor(moment.at * (calls[moment.op] ?? 1)), when: moment.when }
              : { ...swapCall(moment.step), nth: 1, when: moment.when };
          run = await build(root, [], { ...hook, NEWSROOM_TEST_KILL_AT: JSON.stringify(kill) });
        }
        if (run.code === 0) estimate = run.milliseconds;
        const after = await snapshot(dist);
        const left = await besides(root);
        let state: string;
        if (same(after, sites[current])) state = 'previous';
        else if (same(after, sites[target])) state = 'new';
        else state = Object.keys(after).length === 0 ? 'absent' : 'mixed';
        // Where the build was, from what it left: a temporary tree holding the previous output after the exchange
        // (swapping), a temporary tree still being written (writing), or neither.
        const phase = left.some((n) => n.includes('newsroom-tmp-'))
          ? state === 'new'
            ? 'swapping'
            : 'writing'
          : 'not writing';
        outcomes.push(`${state} (${run.signal === 'SIGKILL' ? `killed ${phase}` : 'finished first'})`);
        expect(state, where).toMatch(/^(previous|new)$/);
        // A kill at a step of the swap that never came would prove nothing: the hook must have found its call.
        if (moment.kind === 'swap') expect(run.signal, `${where}: ${run.stderr}`).toBe('SIGKILL');
        if (state === 'new') current = target;
      }
      console.log(`kill trials (seed ${SEED}): ${outcomes.join('; ')}`);

      // The next build, without a kill, cleans up and makes exactly the clean build of its content.
      const target: 'A' | 'B' = current === 'A' ? 'B' : 'A';
      for (const [file, text] of Object.entries(releases(target))) await writeFile(path.join(root, file), text);
      const last = await build(root, []);
      expect(last.code, last.stderr).toBe(0);
      expect(same(await snapshot(dist), sites[target])).toBe(true);
      // Nothing is left but the spare: the output before, which the next build brings up to date.
      expect(await besides(root)).toEqual(['.dist.newsroom-spare']);
      // Removed here, within the test's time: four trees of 5,000 pages take longer than a hook may.
      await rm(root, { recursive: true, force: true });
    },
    120_000 + TRIALS * 40_000,
  );
});
