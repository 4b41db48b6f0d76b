import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BuildState, readState, serializeState, statePath, writeState } from '../../../src/output/build-state.js';
import { tempDir } from '../../helpers/site.js';

describe('the build state', () => {
  const state: BuildState = {
    context: 'c',
    manifest: 'm',
    routes: new Map([['news/a/index.html', { signature: 's', assets: [] }]]),
    search: new Map([
      ['2025', ['news/a/index.html s']],
      ['2024', []],
    ]),
    unchanged: null,
  };

  it('keeps the key of each shard of the search index, shards sorted', async () => {
    const file = statePath(await tempDir(), '/out');
    await writeState(file, state);
    const read = await readState(file, 'c', 'm');
    expect(read?.search).toEqual(state.search);
    expect([...serializeState(state)].join('')).toContain('"search":[["2024",[]],["2025",["news/a/index.html s"]]]');
  });

  it('ignores a state of the format before shards (version 1): the next build indexes everything', async () => {
    const file = path.join(await tempDir(), 'state.json');
    await writeFile(
      file,
      `${JSON.stringify({ version: 1, context: 'c', manifest: 'm', routes: [], search: ['news/a/index.html s'] })}\n`,
    );
    expect(await readState(file, 'c', 'm')).toBeUndefined();
  });

  it('is written in pieces that read back as one JSON document, routes sorted by path', async () => {
    const routes = new Map(
      Array.from({ length: 20_000 }, (_, i) => [
        `news/release-${String(19_999 - i).padStart(5, '0')}/index.html`,
        { signature: `${'s'.repeat(60)}${i}`, assets: i % 2 ? ['css/site.1234.css'] : [] },
      ]),
    );
    const big: BuildState = {
      context: 'c',
      manifest: 'm',
      routes,
      search: new Map([['2025', ['a 1']]]),
      unchanged: null,
    };
    // More than one piece: the state of a large site is never one string.
    expect([...serializeState(big)].length).toBeGreaterThan(1);
    const file = path.join(await tempDir(), 'state.json');
    await writeState(file, big);
    const text = await readFile(file, 'utf8');
    const parsed = JSON.parse(text) as { routes: [string][] };
    expect(parsed.routes.map(([p]) => p)).toEqual([...routes.keys()].sort());
    expect(text.endsWith('}\n')).toBe(true);
    expect(await readState(file, 'c', 'm')).toEqual(big);
  });
});
