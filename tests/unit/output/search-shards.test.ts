import { describe, expect, it } from 'vitest';
import { planSearch, shardKeys, shardList } from '../../../src/output/search-shards.js';
import type { PreviousOutput } from '../../../src/output/write-site.js';
import type { Route } from '../../../src/site/routes.js';

/** A release route with only what sharding reads. */
const releaseRoute = (outputPath: string, day: string, status = 'published'): Route =>
  ({ kind: 'release', outputPath, status, release: { day } }) as unknown as Route;

const ROUTES: Route[] = [
  releaseRoute('news/b/index.html', '2024-03-01'),
  { kind: 'page', outputPath: 'about/index.html' } as unknown as Route,
  releaseRoute('news/a/index.html', '2025-01-02'),
  releaseRoute('fr/news/b/index.html', '2024-03-01'),
  releaseRoute('news/draft/index.html', '2025-02-02', 'draft'),
  releaseRoute('news/c/index.html', '2023-12-31'),
];

const SIGNATURES = new Map(ROUTES.map((r) => [r.outputPath, `sig-${r.outputPath}`]));

/** A previous output holding a bundle for each of `shards` (an entry file, and its compressed copy). */
const previousWith = (...shards: string[]): PreviousOutput => ({
  dir: '/previous',
  files: new Map(
    shards.flatMap((shard) => [
      [`pagefind/${shard}/pagefind-entry.json`, { sha256: `h${shard}`, size: 10 }],
      [`pagefind/${shard}/pagefind-entry.json.br`, { sha256: `b${shard}`, size: 5, encoding: 'br' as const }],
    ]),
  ),
});

describe('planSearch', () => {
  it('puts each published release in the shard of its year, pages in route order, newest shard first', () => {
    const plan = planSearch(ROUTES, SIGNATURES, undefined, undefined);
    expect([...plan.shards]).toEqual([
      ['2025', ['news/a/index.html']],
      ['2024', ['news/b/index.html', 'fr/news/b/index.html']],
      ['2023', ['news/c/index.html']],
    ]);
    expect(plan.shardOfPage.get('fr/news/b/index.html')).toBe('2024');
    expect(plan.shardOfPage.has('news/draft/index.html')).toBe(false);
    expect(plan.indexed).toEqual(['2025', '2024', '2023']);
    expect(plan.kept.size).toBe(0);
  });

  it('keeps a shard whose pages and signatures are those of the state and whose files are in the output', () => {
    const was = shardKeys(planSearch(ROUTES, SIGNATURES, undefined, undefined).shards, SIGNATURES);
    const changed = new Map(SIGNATURES).set('fr/news/b/index.html', 'edited');
    // 2024 changed; 2023's files are not in the previous output.
    const plan = planSearch(ROUTES, changed, was, previousWith('2025', '2024'));
    expect(plan.indexed).toEqual(['2024', '2023']);
    // Compressed copies are not listed: the writer links them with their originals.
    expect([...plan.kept]).toEqual([
      ['2025', [{ path: 'pagefind/2025/pagefind-entry.json', sha256: 'h2025', size: 10 }]],
    ]);
  });

  it('indexes a shard again when a page joins or leaves it, even with every signature the same', () => {
    const was = shardKeys(planSearch(ROUTES, SIGNATURES, undefined, undefined).shards, SIGNATURES);
    const moved = ROUTES.map((r) =>
      r.outputPath === 'news/c/index.html' ? releaseRoute(r.outputPath, '2025-06-01') : r,
    );
    const plan = planSearch(moved, SIGNATURES, was, previousWith('2025', '2024', '2023'));
    expect(plan.indexed).toEqual(['2025']);
    expect([...plan.shards.keys()]).toEqual(['2025', '2024']);
    expect([...plan.kept.keys()]).toEqual(['2024']);
  });
});

describe('shardList', () => {
  it('lists the shards newest first with their languages sorted, the same bytes for any order given', () => {
    const list = shardList([
      { shard: '2019', languages: ['fr', 'en'] },
      { shard: '2026', languages: ['en'] },
    ]);
    expect(list).toEqual({
      path: 'pagefind/shards.json',
      contents: '{"shards":[{"year":"2026","languages":["en"]},{"year":"2019","languages":["en","fr"]}]}\n',
    });
    expect(shardList([]).contents).toBe('{"shards":[]}\n');
  });
});
