import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cli, makeSite, REPO, release } from '../helpers/site.js';

const run = promisify(execFile);

/** Runs a real process and returns its exit code and output, whatever the code. */
async function spawn(command: string, args: string[], cwd = REPO) {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (cause) {
    const failed = cause as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the newsroom command', () => {
  it('builds through the real bin and through npm run build -- <args>', async () => {
    const root = await makeSite({ 'content/news/a.md': release() });
    const direct = await spawn('node', [path.join(REPO, 'bin/newsroom.js'), 'build', '--root', root]);
    expect(direct).toMatchObject({ code: 0, stderr: '' });
    expect(direct.stdout).toMatch(/built 10 pages and 5 feeds and sitemaps/);
    const viaNpm = await spawn('npm', [
      'run',
      '--silent',
      'build',
      '--',
      '--root',
      root,
      '--out',
      path.join(root, 'npm-out'),
    ]);
    expect(viaNpm.code).toBe(0);
    expect(existsSync(path.join(root, 'npm-out/news/a/index.html'))).toBe(true);
  });

  it('exits 1 with diagnostics and no stack trace from the real bin', async () => {
    const root = await makeSite({ 'content/news/a.md': release({ date: '2024-02-30' }) });
    const result = await spawn('node', [path.join(REPO, 'bin/newsroom.js'), 'build', '--root', root]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^content\/news\/a\.md:3:1: date must be/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('check validates everything and writes nothing', async () => {
    const root = await makeSite({ 'content/news/a.md': release() });
    const ok = await cli('check', '--root', root);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/checked 10 pages and 5 feeds and sitemaps \(0 errors, 0 warnings\)/);
    expect(existsSync(path.join(root, 'dist'))).toBe(false);
    const bad = await makeSite({ 'content/news/a.md': release({ title: '""' }) });
    const failed = await cli('check', '--root', bad);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('content/news/a.md:2:1: title must not be empty [front-matter/title]');
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [[], /no command given/],
    [['build', '--nope'], /Unknown option '--nope'/],
    [['build', '--now', 'tomorrow'], /--now must be an ISO 8601/],
    [['build', '--now', '2026-01-01T10:00:00'], /--now must be an ISO 8601/],
    [['build', '--base-url', 'not a url'], /--base-url must be an absolute URL/],
    [['build', '--root', '/no/such/site'], /--root \/no\/such\/site is not a directory/],
  ])('exits 2 on a bad command line: %j', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('Usage: newsroom <command>');
  });

  it('prints help and version', async () => {
    expect((await cli('--help')).stdout).toMatch(/build +build the site/);
    expect((await cli('--version')).stdout).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
