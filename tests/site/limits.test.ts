import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSite } from '../../src/build.js';
import { BuildCache } from '../../src/build-cache.js';
import { buildSite, makeSite, release, SITE_YAML } from '../helpers/site.js';
import { readTree } from '../helpers/tree.js';

const LINE = /^(?<file>[^:\s]+):(?<line>\d+):(?<column>\d+): (?<message>.+) \[(?<rule>[a-z-]+\/[A-Za-z_-]+)\]$/;

/** The diagnostics a run printed, as `file:line:column rule`. */
function diagnostics(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => LINE.exec(l)?.groups)
    .filter((g): g is Record<string, string> => g !== undefined)
    .map((g) => `${g.file}:${g.line}:${g.column} ${g.rule}`);
}

const withLimits = (limits: string) => `${SITE_YAML}limits:\n${limits}`;

describe('input limits and hostile files through the CLI', () => {
  it('reports every hostile or oversized file in one run, exit 1, no stack trace, the previous output intact', async () => {
    const root = await makeSite({ 'content/news/ok.md': release() });
    expect((await buildSite(root)).code).toBe(0);
    const before = await readTree(path.join(root, 'dist'));
    const files: Record<string, string> = {
      'content/news/bomb.md': `---\ntitle: T\ndate: 2020-01-02\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n---\nBody.\n`,
      'content/news/deep-yaml.md': `---\ntitle: T\ndate: 2020-01-02\nthemes: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n---\nBody.\n`,
      'content/news/deep-quotes.md': release({}, `Intro.\n\n${'> '.repeat(3_000)}deep\n`),
      'content/news/deep-list.md': release(
        {},
        Array.from({ length: 500 }, (_, i) => `${'  '.repeat(i)}- x`).join('\n'),
      ),
      'content/news/tag.md': release({ summary: '!!js/function "function () { process.exit(3) }"' }),
      'content/news/proto.md': release({
        location: 'Geneva\n__proto__:\n  polluted: true\nconstructor: { prototype: { x: 1 } }',
      }),
      'content/news/dup.md': release({ location: 'Geneva\nlocation: Bern' } as Record<string, string>),
      'content/news/long-front-matter.md': release({ summary: 'x'.repeat(40_000) }),
      'content/pages/template/index.md':
        '---\ntitle: "{{ range.constructor(\\"return process\\")() }}"\n---\n{% raw %}x',
    };
    for (const [name, text] of Object.entries(files)) {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(path.dirname(path.join(root, name)), { recursive: true });
      await writeFile(path.join(root, name), text);
    }
    // 1 GB, sparse: reading it as text would fail (longer than a string can be), so it must be judged from its stat.
    const huge = await open(path.join(root, 'content/news/huge.md'), 'w');
    await huge.truncate(1_000_000_000);
    await huge.close();

    const started = performance.now();
    const run = await buildSite(root);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(diagnostics(run.stderr)).toEqual([
      'content/news/bomb.md:1:1 yaml/aliases',
      'content/news/deep-list.md:108:1 limits/nesting',
      'content/news/deep-quotes.md:10:1 limits/nesting',
      expect.stringMatching(/^content\/news\/deep-yaml\.md:4:\d+ limits\/nesting$/),
      'content/news/dup.md:5:1 yaml/duplicate_key',
      'content/news/huge.md:1:1 limits/file-size',
      'content/news/long-front-matter.md:1:1 limits/front-matter',
      'content/news/proto.md:5:1 front-matter/unknown-key',
      'content/news/proto.md:7:1 front-matter/unknown-key',
      'content/news/tag.md:5:10 yaml/tag_resolve_failed',
    ]);
    expect(run.stderr).toContain(
      'content/news/huge.md:1:1: the file is 1000 MB, over the limit of 5 MB a file: split it, or raise limits.fileSize in site.yaml [limits/file-size]',
    );
    expect(run.stderr).toMatch(/build failed \(8 errors, 2 warnings\)/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await readTree(path.join(root, 'dist'))).toEqual(before);
  }, 60_000);

  it('keys the cache on limits.fileSize: raising it loads the file, lowering it again refuses it', async () => {
    const big = release({}, `${'Word '.repeat(30_000)}\n`); // 150 kB
    const root = await makeSite({
      'content/_data/site.yaml': withLimits('  fileSize: 100 kB\n'),
      'content/news/big.md': big,
      'content/news/ok.md': release(),
    });
    const refused = await buildSite(root);
    expect(refused.code).toBe(1);
    expect(diagnostics(refused.stderr)).toEqual(['content/news/big.md:1:1 limits/file-size']);
    expect(refused.stderr).toContain('the file is 150.1 kB, over the limit of 100 kB');

    await writeFile(path.join(root, 'content/_data/site.yaml'), withLimits('  fileSize: 200000\n'));
    const raised = await buildSite(root);
    expect(raised.code).toBe(0);
    expect(await readFile(path.join(root, 'dist/news/big/index.html'), 'utf8')).toContain('Word Word');

    await writeFile(path.join(root, 'content/_data/site.yaml'), withLimits('  fileSize: 100 kB\n'));
    const again = await buildSite(root);
    expect(again.code).toBe(1);
    expect(diagnostics(again.stderr)).toEqual(['content/news/big.md:1:1 limits/file-size']);
  }, 60_000);

  it('refuses a site with more releases and pages than limits.files, loading none of them', async () => {
    const root = await makeSite({
      'content/_data/site.yaml': withLimits('  files: 2\n'),
      'content/news/a.md': release(),
      'content/news/b.md': release({ date: 'not a date' }),
      'content/pages/about/index.md': '---\ntitle: About\n---\nText.\n',
    });
    const run = await buildSite(root);
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual(['content/_data/site.yaml:1:1 limits/files']);
    expect(run.stderr).toContain(
      'the site has 3 releases and pages, more than the limit of 2: raise limits.files in site.yaml',
    );
  });

  it('checks the limits block of site.yaml and the size of the other data files', async () => {
    const bad = await makeSite({
      'content/_data/site.yaml': withLimits('  fileSize: lots\n  files: -1\n  depth: 3\n'),
    });
    const run = await buildSite(bad);
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual([
      // `limits` is strict: an unknown key in it is an error (and the usual warning).
      'content/_data/site.yaml:7:1 site/limits',
      'content/_data/site.yaml:8:3 site/limits',
      'content/_data/site.yaml:9:3 site/limits',
      'content/_data/site.yaml:10:3 site/unknown-key',
    ]);
    expect(run.stderr).toContain('limits.fileSize must be a size like 5 MB, 500 kB or a number of bytes');
    const navigation = `items:\n  - label: News\n    url: /news/\n${'# padding\n'.repeat(200)}`;
    const small = await makeSite({
      'content/_data/site.yaml': withLimits('  fileSize: 1 kB\n'),
      'content/_data/navigation.yaml': navigation,
    });
    const data = await buildSite(small);
    expect(diagnostics(data.stderr)).toContain('content/_data/navigation.yaml:1:1 limits/file-size');
  });

  it('the dev server (a retained cache) reports an oversized file like any error, and sees it fixed', async () => {
    const root = await makeSite({
      'content/_data/site.yaml': withLimits('  fileSize: 100 kB\n'),
      'content/news/big.md': release({}, 'x'.repeat(200_000)),
    });
    const cache = new BuildCache();
    const options = { root, includeDrafts: false, now: new Date('2026-01-01T00:00:00Z') };
    const first = await compileSite(options, cache);
    expect(first.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.rule}`)).toEqual([
      'content/news/big.md:1:1 limits/file-size',
    ]);
    await writeFile(path.join(root, 'content/news/big.md'), release({}, 'Short now.\n'));
    const second = await compileSite(options, cache, { changed: new Set(['content/news/big.md']) });
    expect(second.diagnostics).toEqual([]);
    expect(second.releases.map((r) => r.source)).toEqual(['content/news/big.md']);
  });
});
