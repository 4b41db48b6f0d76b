import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSite } from '../../src/build.js';
import { BuildCache } from '../../src/build-cache.js';
import type { Route } from '../../src/site/routes.js';
import { makeSite, release } from '../helpers/site.js';

const NOW = new Date('2026-01-01T00:00:00Z');

/** Routes as data, for comparing builds: no object identity. */
const plain = (routes: readonly Route[]) => JSON.parse(JSON.stringify(routes)) as unknown;

describe('the dev server after an edit of release bodies only', () => {
  it('keeps every route not showing the body, swaps the new release into the rest, and matches a clean build', async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 25; i++) {
      const day = String(i).padStart(2, '0');
      files[`content/news/r${i}.md`] = release({ title: `Release ${i}`, date: `2020-01-${day}`, slug: `r${i}` });
    }
    const root = await makeSite(files);
    const options = { root, includeDrafts: false, now: NOW };
    const cache = new BuildCache({ threads: 0 });
    const first = await compileSite(options, cache);
    const file = 'content/news/r7.md';
    await writeFile(
      path.join(root, file),
      release({ title: 'Release 7', date: '2020-01-07', slug: 'r7' }, 'New body.\n'),
    );
    const after = await compileSite(options, cache, { changed: new Set([file]) });
    const clean = await compileSite(options, new BuildCache({ threads: 0 }));
    expect(plain(after.routes)).toEqual(plain(clean.routes));
    expect(after.diagnostics).toEqual(clean.diagnostics);
    const changed = after.routes.filter((route, i) => route !== first.routes[i]).map((r) => `${r.kind} ${r.url}`);
    // The release's page and the feeds that carry bodies; not the listings, related lists or sitemaps.
    expect(changed).toContain('release /news/r7/');
    expect(changed.every((c) => c.startsWith('release /news/r7/') || c.startsWith('feed '))).toBe(true);
    // A changed title is shown in listings: the routes are made again.
    await writeFile(path.join(root, file), release({ title: 'Seven', date: '2020-01-07', slug: 'r7' }, 'New body.\n'));
    const retitled = await compileSite(options, cache, { changed: new Set([file]) });
    const listing = (routes: readonly Route[]) => routes.find((r) => r.kind === 'listing' && r.url === '/news/');
    expect(listing(retitled.routes)).not.toBe(listing(after.routes));
    expect(plain(retitled.routes)).toEqual(plain((await compileSite(options, new BuildCache({ threads: 0 }))).routes));
    await cache.close();
  });
});
