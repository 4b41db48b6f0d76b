import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MARKER, OutputError, recoverOutput, writeSite } from '../../../src/output/write-site.js';
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
    expect((await readdir(dir)).sort()).toEqual(['dist', 'logo.svg']);
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
