import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Release } from '../../../src/content/release.js';
import { type LocalNavEntry, markCurrent } from '../../../src/site/navigation.js';
import { paginate } from '../../../src/site/pagination.js';
import { newestFirst, publicationStatus } from '../../../src/site/publication.js';
import { relatedReleases } from '../../../src/site/routes.js';
import { outputPathFor } from '../../../src/site/urls.js';

const r = (fields: Partial<Release>): Release =>
  ({ draft: false, embargo: undefined, timestamp: 0, slug: 'a', ...fields }) as Release;

describe('paginate', () => {
  it('makes pages of 20 at /news/, /news/page/2/ ... linked both ways', () => {
    const pages = paginate(
      Array.from({ length: 45 }, (_, i) => i),
      20,
      '/news/',
    );
    expect(pages.map((p) => [p.url, p.items.length, p.previousUrl, p.nextUrl])).toEqual([
      ['/news/', 20, undefined, '/news/page/2/'],
      ['/news/page/2/', 20, '/news/', '/news/page/3/'],
      ['/news/page/3/', 5, '/news/page/2/', undefined],
    ]);
  });

  it('still has a first page when there is nothing to list', () => {
    expect(paginate([], 20, '/news/').map((p) => p.url)).toEqual(['/news/']);
  });
});

describe('publicationStatus', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  it('holds embargoed releases until the embargo passes, in any offset', () => {
    expect(publicationStatus(r({ embargo: '2026-01-01T13:30:00+01:00' }), now)).toBe('embargoed');
    expect(publicationStatus(r({ embargo: '2026-01-01T12:30:00+01:00' }), now)).toBe('published');
    expect(publicationStatus(r({ draft: true }), now)).toBe('draft');
  });

  it('orders newest first, ties by slug', () => {
    const list = [r({ slug: 'b', timestamp: 1 }), r({ slug: 'c', timestamp: 2 }), r({ slug: 'a', timestamp: 1 })];
    expect(list.sort(newestFirst).map((x) => x.slug)).toEqual(['c', 'a', 'b']);
  });
});

describe('markCurrent', () => {
  const entry = (url: string, children: LocalNavEntry[] = []): LocalNavEntry => ({
    label: url,
    lang: undefined,
    hreflang: undefined,
    url,
    children,
  });
  const nav = [entry('/who-we-are/'), entry('/our-work/', [entry('/our-work/partnerships/')]), entry('/news/')];

  it('marks the page itself and the section that holds it', () => {
    const marked = markCurrent(nav, '/our-work/partnerships/');
    expect(marked.map((e) => e.current)).toEqual([undefined, 'true', undefined]);
    expect(marked[1]?.children[0]?.current).toBe('page');
    expect(markCurrent(nav, '/news/some-release/').map((e) => e.current)).toEqual([undefined, undefined, 'true']);
    expect(markCurrent(nav, '/who-we-are/')[0]?.current).toBe('page');
  });
});

describe('outputPathFor', () => {
  it('maps pretty URLs to index.html files', () => {
    expect(outputPathFor('/')).toBe('index.html');
    expect(outputPathFor('/news/x/')).toBe('news/x/index.html');
    expect(outputPathFor('/404.html')).toBe('404.html');
  });

  it.each(['/../etc/', '//evil/', 'relative/', '/a\\b/'])('refuses %s', (url) => {
    expect(() => outputPathFor(url)).toThrow(/unsafe URL/);
  });
});

describe('relatedReleases', () => {
  /** The definition, written the slow obvious way: score every other release, sort, take four. */
  const bruteForce = (list: Release[]): Release[][] =>
    list.map((release) => {
      const score = (other: Release) =>
        new Set(other.themes.filter((t) => release.themes.includes(t))).size +
        (release.country !== undefined && other.country === release.country ? 1 : 0);
      return list
        .map((other, i) => ({ other, i, s: score(other) }))
        .filter(({ other, s }) => other !== release && s > 0)
        .sort((a, b) => b.s - a.s || a.i - b.i)
        .slice(0, 4)
        .map(({ other }) => other);
    });

  it('equals scoring every candidate: most shared themes and country first, newest first among equals', () => {
    const arbitraryRelease = fc.record({
      themes: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 3 }),
      country: fc.option(fc.constantFrom('X', 'Y', 'Z'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(arbitraryRelease, { maxLength: 40 }), (shapes) => {
        const list = shapes.map((shape, i) => r({ ...shape, slug: `r${i}`, source: `r${i}.md` }));
        expect(relatedReleases(list)).toEqual(bruteForce(list));
      }),
      { numRuns: 300 },
    );
  });
});
