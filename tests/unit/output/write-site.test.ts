import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExchange } from '../../../src/output/exchange.js';
import {
  describeWriteFailure,
  MARKER,
  OutputError,
  type OutputFile,
  recoverOutput,
  swapIn,
  type WrittenFile,
  writeSite,
} from '../../../src/output/write-site.js';
import { MANIFEST_PATH, type Manifest, parseManifest, serializeManifest } from '../../../src/publish/manifest.js';
import { tempDir } from '../../helpers/site.js';

describe('writeSite', () => {
  it('writes files and assets, then replaces the old output as a whole', async () => {
    const dir = await tempDir();
    const out = path.join(dir, 'dist');
    const asset = path.join(dir, 'logo.svg');
    await writeFile(asset, '<svg/>');
    await writeSite(
      out,
      [
        { path: 'a/index.html', contents: 'one' },
        { path: 'stale.html', contents: 'x' },
      ],
      [],
    );
    await writeSite(
      out,
      [{ path: 'a/index.html', contents: 'two' }],
      [{ outputPath: 'img/logo.svg', absolutePath: asset }],
    );
    expect(await readFile(path.join(out, 'a/index.html'), 'utf8')).toBe('two');
    expect(await readFile(path.join(out, 'img/logo.svg'), 'utf8')).toBe('<svg/>');
    expect(existsSync(path.join(out, 'stale.html'))).toBe(false);
    expect(existsSync(path.join(out, MARKER))).toBe(true);
    // The output before is kept as the spare the next build brings up to date.
    expect((await readdir(dir)).sort()).toEqual(['.dist.newsroom-spare', 'dist', 'logo.svg']);
  });

  it('brings the spare up to date without touching the files it shares with the live output', async () => {
    const dir = await tempDir();
    const out = path.join(dir, 'dist');
    const manifestOf = async (where: string) => {
      const manifest = parseManifest(await readFile(path.join(where, MANIFEST_PATH), 'utf8'), 'manifest');
      return { dir: where, files: new Map(manifest.files.map((f) => [f.path, f])) };
    };
    const seal = (written: readonly WrittenFile[]): OutputFile[] => {
      const files = written.map((w) => ({
        path: w.path,
        sha256: w.sha256,
        size: w.size,
        type: 'text/html; charset=utf-8',
        cacheControl: 'no-cache',
        kind: 'page' as const,
        sources: [],
      }));
      const manifest: Manifest = {
        generator: 'newsroom',
        version: 1,
        baseUrl: 'https://x.org',
        now: '2026-01-01T00:00:00.000Z',
        nextBuildAt: null,
        drafts: false,
        files,
      };
      return [{ path: MANIFEST_PATH, contents: serializeManifest(manifest) }];
    };
    const build = async (files: Record<string, string>) => {
      const previous = existsSync(path.join(out, '.newsroom/manifest.json')) ? await manifestOf(out) : undefined;
      await writeSite(
        out,
        Object.entries(files).map(([p, contents]) => ({ path: p, contents })),
        [],
        { previous, seal },
      );
    };
    await build({ 'a/index.html': 'a1', 'b/index.html': 'b1', 'gone/index.html': 'g' });
    await build({ 'a/index.html': 'a2', 'b/index.html': 'b1', 'gone/index.html': 'g' });
    const spare = path.join(dir, '.dist.newsroom-spare');
    // The spare is the first output; b is one file (one inode) in both.
    expect(await readFile(path.join(spare, 'a/index.html'), 'utf8')).toBe('a1');
    // The third build recycles the spare: b changes there, and the live output must not see it before the swap.
    await build({ 'a/index.html': 'a2', 'b/index.html': 'b3', 'new/index.html': 'n' });
    expect(await readFile(path.join(out, 'b/index.html'), 'utf8')).toBe('b3');
    expect(await readFile(path.join(out, 'a/index.html'), 'utf8')).toBe('a2');
    expect(await readFile(path.join(out, 'new/index.html'), 'utf8')).toBe('n');
    expect(existsSync(path.join(out, 'gone'))).toBe(false);
    // The second output, now the spare, is exactly as it was: b1, though b was one inode with the first output's b.
    expect(await readFile(path.join(spare, 'b/index.html'), 'utf8')).toBe('b1');
    expect(await readFile(path.join(spare, 'gone/index.html'), 'utf8')).toBe('g');
  });

  it('cleans what a killed build left and restores output lost mid-swap', async () => {
    const dir = await tempDir();
    const out = path.join(dir, 'dist');
    await mkdir(path.join(dir, '.dist.newsroom-tmp-123-abcd/news'), { recursive: true });
    await mkdir(path.join(dir, '.dist.newsroom-old-123-abcd'));
    await writeFile(path.join(dir, '.dist.newsroom-old-123-abcd/index.html'), 'previous');
    await recoverOutput(out);
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).toBe('previous');
    expect((await readdir(dir)).sort()).toEqual(['dist']);
  });

  it('refuses to write outside the output directory', async () => {
    const dir = await tempDir();
    await expect(writeSite(path.join(dir, 'dist'), [{ path: '../escaped.html', contents: 'x' }], [])).rejects.toThrow(
      /outside the output/,
    );
    expect(existsSync(path.join(dir, 'escaped.html'))).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails with an error naming the path, keeping the previous output and no leftovers', async () => {
    const dir = await tempDir();
    const out = path.join(dir, 'dist');
    await writeSite(out, [{ path: 'index.html', contents: 'previous' }], []);
    const missing = { outputPath: 'gone.css', absolutePath: path.join(dir, 'no-such-file.css') };
    const failure = writeSite(out, [{ path: 'index.html', contents: 'new' }], [missing]);
    await expect(failure).rejects.toBeInstanceOf(OutputError);
    await expect(failure).rejects.toThrow(`cannot write ${path.join(out, 'gone.css')}`);
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).toBe('previous');
    expect((await readdir(dir)).sort()).toEqual(['dist']);
  });

  it('reports an output whose parent is not a directory', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'file'), 'x');
    await expect(writeSite(path.join(dir, 'file', 'dist'), [], [])).rejects.toThrow(/cannot write/);
  });
});

describe('swapIn', () => {
  /** A finished tree and a live output beside it, as a build leaves them just before the swap. */
  async function readyToSwap(): Promise<{ dir: string; temp: string; out: string; old: string }> {
    const dir = await tempDir();
    const paths = {
      dir,
      temp: path.join(dir, '.dist.newsroom-tmp-1-aa'),
      out: path.join(dir, 'dist'),
      old: path.join(dir, '.dist.newsroom-old-1-aa'),
    };
    await mkdir(paths.temp);
    await writeFile(path.join(paths.temp, 'index.html'), 'new');
    await mkdir(paths.out);
    await writeFile(path.join(paths.out, 'index.html'), 'previous');
    return paths;
  }

  it('exchanges the new tree with the output in one call on Linux: the previous output becomes the spare', async () => {
    const exchange = await loadExchange();
    expect(exchange, 'renameat2 is loaded through koffi on Linux').toBeDefined();
    const paths = await readyToSwap();
    const calls: string[] = [];
    await swapIn(paths, (a, b) => {
      calls.push(`${path.basename(a)} <-> ${path.basename(b)}`);
      const done = exchange?.(a, b) ?? false;
      // Right after the one call, the output is already the new one: there is no moment without it.
      expect(readFileSync(path.join(paths.out, 'index.html'), 'utf8')).toBe('new');
      return done;
    });
    expect(calls).toEqual(['.dist.newsroom-tmp-1-aa <-> dist']);
    expect(await readFile(path.join(paths.out, 'index.html'), 'utf8')).toBe('new');
    expect(await readFile(path.join(paths.dir, '.dist.newsroom-spare/index.html'), 'utf8')).toBe('previous');
    expect((await readdir(paths.dir)).sort()).toEqual(['.dist.newsroom-spare', 'dist']);
  });

  it('renames twice where the file system cannot exchange, with the same result', async () => {
    for (const exchange of [undefined, () => false]) {
      const paths = await readyToSwap();
      await swapIn(paths, exchange);
      expect(await readFile(path.join(paths.out, 'index.html'), 'utf8')).toBe('new');
      expect(await readFile(path.join(paths.dir, '.dist.newsroom-spare/index.html'), 'utf8')).toBe('previous');
      expect((await readdir(paths.dir)).sort()).toEqual(['.dist.newsroom-spare', 'dist']);
    }
  });

  it('gives an exchange that fails its error code, for the one-line message', async () => {
    const exchange = await loadExchange();
    const dir = await tempDir();
    await mkdir(path.join(dir, 'there'));
    let failure: unknown;
    try {
      exchange?.(path.join(dir, 'missing'), path.join(dir, 'there'));
    } catch (cause) {
      failure = cause;
    }
    expect((failure as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(describeWriteFailure(failure)).toMatch(/ENOENT/);
  });
});
