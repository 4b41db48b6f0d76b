import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BuildState, readState, serializeState, writeState } from '../../../src/output/build-state.js';
import { tempDir } from '../../helpers/site.js';

describe('the build state', () => {
  it('is written in pieces that read back as one JSON document, routes sorted by path', async () => {
    const routes = new Map(
      Array.from({ length: 20_000 }, (_, i) => [
        `news/release-${String(19_999 - i).padStart(5, '0')}/index.html`,
        { signature: `${'s'.repeat(60)}${i}`, assets: i % 2 ? ['css/site.1234.css'] : [] },
      ]),
    );
    const state: BuildState = { context: 'c', manifest: 'm', routes, search: ['a 1'], unchanged: null };
    // More than one piece: the state of a large site is never one string.
    expect([...serializeState(state)].length).toBeGreaterThan(1);
    const file = path.join(await tempDir(), 'state.json');
    await writeState(file, state);
    const text = await readFile(file, 'utf8');
    const parsed = JSON.parse(text) as { routes: [string][] };
    expect(parsed.routes.map(([p]) => p)).toEqual([...routes.keys()].sort());
    expect(text.endsWith('}\n')).toBe(true);
    expect(await readState(file, 'c', 'm')).toEqual(state);
  });
});
