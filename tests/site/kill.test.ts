import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, makeSite, REPO, release } from '../helpers/site.js';

const NOW = '2026-01-01T00:00:00Z';

/** path -> sha256 of every file below `dir` (empty when it does not exist). */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    result[path.relative(dir, full)] = createHash('sha256')
      .update(await readFile(full))
      .digest('hex');
  }
  return result;
}

function sites(count: number, title: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const day = String((i % 28) + 1).padStart(2, '0');
    files[`content/news/r${i}.md`] = release({ title: `${title} ${i}`, date: `2020-01-${day}` }, 'Text.\n'.repeat(40));
  }
  return files;
}

describe('a build killed with SIGKILL', () => {
  it('leaves exactly the previous site or exactly the new one, and the next build cleans up', async () => {
    const root = await makeSite(sites(400, 'Old'));
    expect((await cli('build', '--root', root, '--now', NOW)).code).toBe(0);
    const old = await snapshot(path.join(root, 'dist'));
    for (const [file, text] of Object.entries(sites(400, 'New'))) await writeFile(path.join(root, file), text);
    // A build of the new content through the real bin, into another directory: the expected result, and its duration.
    const run = (...extra: string[]) => {
      const child = spawn(
        'node',
        [path.join(REPO, 'bin/newsroom.js'), 'build', '--root', root, '--now', NOW, ...extra],
        {
          stdio: 'ignore',
        },
      );
      return { child, exited: new Promise((resolve) => child.once('exit', resolve)) };
    };
    const started = Date.now();
    await run('--out', path.join(root, 'reference')).exited;
    const duration = Date.now() - started;
    const fresh = await snapshot(path.join(root, 'reference'));
    expect(Object.keys(fresh).length).toBeGreaterThan(400);
    expect(fresh).not.toEqual(old);

    const outcomes: string[] = [];
    for (const fraction of [0.3, 0.6, 0.8, 0.9, 0.97]) {
      const before = JSON.stringify(await snapshot(path.join(root, 'dist')));
      const { child, exited } = run();
      await new Promise((resolve) => setTimeout(resolve, Math.round(duration * fraction)));
      child.kill('SIGKILL');
      await exited;
      const after = JSON.stringify(await snapshot(path.join(root, 'dist')));
      const state = after === before ? 'previous' : after === JSON.stringify(fresh) ? 'new' : 'mixed';
      const leftovers = (await readdir(root)).filter((n) => n.includes('newsroom-') && !n.endsWith('-spare')).length;
      outcomes.push(`${state}${leftovers ? ' (leftovers)' : ''}`);
      expect(state, `killed at ${fraction} of a build`).not.toBe('mixed');
    }
    expect((await cli('build', '--root', root, '--now', NOW)).code).toBe(0);
    expect(await snapshot(path.join(root, 'dist'))).toEqual(fresh);
    // Nothing is left but the spare: the output before, which the next build brings up to date.
    expect((await readdir(root)).filter((n) => n.includes('newsroom-'))).toEqual(['.dist.newsroom-spare']);
  }, 60_000);
});
