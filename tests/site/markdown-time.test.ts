import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSite } from '../../src/build.js';
import { BuildCache } from '../../src/build-cache.js';
import { DiskCache } from '../../src/cache/disk-cache.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { buildSite, makeSite, release, SITE_YAML, tempDir } from '../helpers/site.js';

/**
 * 100 kB of runs of unmatched emphasis markers: remark takes minutes over it (time quadratic in its length), so a
 * limit of 1 s must stop it.
 */
const HOSTILE = release({}, `${'*t '.repeat(17_000)}${'_t*_ '.repeat(10_000)}\n`);
const LIMITED = `${SITE_YAML}limits:\n  markdownSeconds: 1\n`;
const NOW = new Date('2026-01-01T00:00:00Z');

const where = (diagnostics: readonly Diagnostic[]) =>
  diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.rule}`);

/** The printed diagnostics of a CLI run, as `file:line:column rule`. */
const printed = (stderr: string) =>
  stderr
    .split('\n')
    .map((line) => /^(\S+?:\d+:\d+): .* \[([a-z-]+\/[a-z_-]+)\]$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => `${m[1]} ${m[2]}`);

/** A site with `normal` valid releases, and `files` besides. */
function site(normal: number, files: Record<string, string>): Promise<string> {
  const releases = Object.fromEntries(
    Array.from({ length: normal }, (_, i) => [`content/news/ok-${i}.md`, release({ title: `Release ${i}` })]),
  );
  return makeSite({ 'content/_data/site.yaml': LIMITED, ...releases, ...files });
}

describe('limits.markdownSeconds: a file whose Markdown takes too long is stopped and reported', () => {
  it('a small build stops the hostile file, reports it with every other error, and loads it once it is fixed', async () => {
    const root = await site(4, {
      'content/news/hostile.md': HOSTILE,
      'content/news/bad-date.md': release({ date: '2020-13-45' }),
    });
    const started = performance.now();
    const run = await buildSite(root);
    expect(performance.now() - started).toBeLessThan(60_000);
    expect(run.code).toBe(1);
    expect(printed(run.stderr)).toEqual([
      'content/news/bad-date.md:3:1 front-matter/date',
      'content/news/hostile.md:1:1 limits/markdown-time',
    ]);
    expect(run.stderr).toContain(
      'content/news/hostile.md:1:1: the Markdown took longer than 1 s to read, so it was stopped: it may hold thousands of unmatched * or _ (split it or simplify it), or raise limits.markdownSeconds in site.yaml [limits/markdown-time]',
    );
    // A stopped file is not a cache that could not be written.
    expect(run.stderr).not.toContain('could not write to the cache');

    await writeFile(path.join(root, 'content/news/hostile.md'), release({ title: 'Fixed' }, 'Now *plain* text.\n'));
    await writeFile(path.join(root, 'content/news/bad-date.md'), release());
    const fixed = await buildSite(root);
    expect(fixed.stderr).toBe('');
    expect(fixed.code).toBe(0);
    expect(await readFile(path.join(root, 'dist/news/hostile/index.html'), 'utf8')).toContain('<em>plain</em>');
    for (let i = 0; i < 4; i++) await readFile(path.join(root, `dist/news/ok-${i}/index.html`), 'utf8');
  }, 60_000);

  it('worker batches: two hostile files in one batch are both stopped, every other file loads, nothing stopped is cached', async () => {
    // Sorted by path, the hostile files are the 3rd and 7th of one batch of 10.
    const names = ['a', 'b', 'c-hostile', 'd', 'e', 'f', 'g-hostile', 'h', 'i', 'j'];
    const files = Object.fromEntries(
      names.map((n) => [`content/news/${n}.md`, n.endsWith('hostile') ? HOSTILE : release({ title: `Release ${n}` })]),
    );
    const root = await site(0, { ...files, 'content/pages/about/index.md': '---\ntitle: About\n---\nText.\n' });
    const dir = await tempDir();
    const disk = new DiskCache(dir);
    const options = { root, includeDrafts: false, now: NOW };
    const load = async () => {
      // threadMin 1: every file goes to the worker threads, as in a build of hundreds.
      const cache = new BuildCache({ disk, threads: 2, threadMin: 1, retain: false });
      try {
        const started = performance.now();
        const compiled = await compileSite(options, cache);
        expect(performance.now() - started).toBeLessThan(60_000);
        return { compiled, counts: { ...cache.counts } };
      } finally {
        await cache.close();
      }
    };
    const first = await load();
    expect(where(first.compiled.diagnostics)).toEqual([
      'content/news/c-hostile.md:1:1 limits/markdown-time',
      'content/news/g-hostile.md:1:1 limits/markdown-time',
    ]);
    expect(first.compiled.releases.map((r) => r.title).sort()).toEqual(
      names.filter((n) => !n.endsWith('hostile')).map((n) => `Release ${n}`),
    );
    expect(disk.counts.unwritable).toBe(0);
    // Loaded again: the eight good releases and the page come from the cache, the two stopped files are tried again.
    const second = await load();
    expect(where(second.compiled.diagnostics)).toEqual(where(first.compiled.diagnostics));
    expect(second.counts).toMatchObject({ loaded: 2, fromDisk: 9 });
  }, 60_000);

  it('the dev server (a retained cache) reports the stopped file, keeps serving the rest, and sees it fixed', async () => {
    const root = await site(2, { 'content/news/hostile.md': HOSTILE });
    const cache = new BuildCache();
    const options = { root, includeDrafts: false, now: NOW };
    try {
      const first = await compileSite(options, cache);
      expect(where(first.diagnostics)).toEqual(['content/news/hostile.md:1:1 limits/markdown-time']);
      expect(first.releases.map((r) => r.source).sort()).toEqual(['content/news/ok-0.md', 'content/news/ok-1.md']);
      await writeFile(path.join(root, 'content/news/hostile.md'), release({ title: 'Fixed' }, 'Now *plain* text.\n'));
      const second = await compileSite(options, cache, { changed: new Set(['content/news/hostile.md']) });
      expect(second.diagnostics).toEqual([]);
      expect(second.releases.find((r) => r.source === 'content/news/hostile.md')?.html).toContain('<em>plain</em>');
    } finally {
      await cache.close();
    }
  }, 60_000);
});
