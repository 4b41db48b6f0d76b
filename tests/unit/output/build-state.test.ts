import { writeFile } from 'node:fs/promises';
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
    expect(serializeState(state)).toContain('"search":[["2024",[]],["2025",["news/a/index.html s"]]]');
  });

  it('ignores a state of the format before shards (version 1): the next build indexes everything', async () => {
    const file = path.join(await tempDir(), 'state.json');
    await writeFile(
      file,
      `${JSON.stringify({ version: 1, context: 'c', manifest: 'm', routes: [], search: ['news/a/index.html s'] })}\n`,
    );
    expect(await readState(file, 'c', 'm')).toBeUndefined();
  });
});
