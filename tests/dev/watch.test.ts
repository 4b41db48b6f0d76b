import { execFileSync } from 'node:child_process';
import { mkdir, open, rename, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/build.js';
import { type DevBuild, type DevOptions, DevSession } from '../../src/dev/dev-session.js';
import { makeSite, release, SITE_YAML, tempDir } from '../helpers/site.js';
import { readDevTree, readTree } from '../helpers/tree.js';

/**
 * The dev loop with real chokidar events on real files: what editors and git do to a site, and what the served
 * site shows afterwards.
 */

const NOW = new Date('2026-01-01T00:00:00Z');
let session: DevSession | undefined;

afterEach(async () => {
  await session?.close();
  session = undefined;
});

async function start(root: string, extra: Partial<DevOptions> = {}): Promise<{ dev: DevSession; builds: DevBuild[] }> {
  const builds: DevBuild[] = [];
  const dev = await DevSession.start({
    root,
    host: '127.0.0.1',
    port: 0,
    includeDrafts: false,
    ...extra,
    now: NOW,
    streams: { out: () => undefined, err: () => undefined },
  });
  dev.onBuild((b) => builds.push(b));
  session = dev;
  return { dev, builds };
}

/** Waits until a build satisfies `test` and nothing more is queued. */
async function settled(dev: DevSession, builds: DevBuild[], test: (b: DevBuild) => boolean = () => true) {
  const deadline = Date.now() + 10_000;
  while (!builds.some(test)) {
    if (Date.now() > deadline) throw new Error(`no matching build in 10 s (${builds.length} builds)`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await dev.idle();
}

async function get(dev: DevSession, url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(new URL(url, dev.url), { redirect: 'manual' });
  return { status: response.status, text: await response.text() };
}

/** The served site equals a clean build of the same files. */
async function expectClean(dev: DevSession, root: string): Promise<void> {
  const out = path.join(await tempDir(), 'dist');
  const fresh = await build({ root, out, includeDrafts: false, now: NOW, write: true, search: false, deploy: false });
  expect(fresh.written).toBe(true);
  expect(await readDevTree(dev.outDir)).toEqual(await readTree(out));
}

describe('newsroom dev watching real files', () => {
  it('sees an editor’s atomic save (write a temp file, rename it over the release)', async () => {
    const root = await makeSite({ 'content/news/a.md': release({ title: 'First Title' }) });
    const { dev, builds } = await start(root);
    const temp = path.join(root, 'content/news/.a.md.tmp-1234');
    await writeFile(temp, release({ title: 'Saved Atomically' }));
    await rename(temp, path.join(root, 'content/news/a.md'));
    await settled(dev, builds, (b) => b.change?.urls.includes('/news/a/') ?? false);
    expect((await get(dev, '/news/a/')).text).toContain('Saved Atomically');
    expect((await get(dev, '/news/')).text).toContain('Saved Atomically');
    await expectClean(dev, root);
  });

  it('sees a save that follows the previous one within 50 ms (chokidar alone drops it)', async () => {
    const root = await makeSite({ 'content/news/a.md': release({ title: 'Version 0' }) });
    const { dev, builds } = await start(root);
    for (let version = 1; version <= 3; version++) {
      const title = `Version ${version}`;
      await writeFile(path.join(root, 'content/news/a.md'), release({ title }));
      // Save again the moment the build of the first save is done, as format-on-save does.
      await settled(dev, builds, (b) => b.change?.urls.includes('/news/a/') ?? false);
      builds.length = 0;
      await writeFile(path.join(root, 'content/news/a.md'), release({ title: `${title} again` }));
      await settled(dev, builds, (b) => b.change?.urls.includes('/news/a/') ?? false);
      builds.length = 0;
      expect((await get(dev, '/news/a/')).text).toContain(`${title} again`);
    }
  });

  it('builds a save after its text is there, when the editor truncates the file and writes it later', async () => {
    const root = await makeSite({ 'content/news/a.md': release({ title: 'Before' }) });
    const { dev, builds } = await start(root);
    const file = await open(path.join(root, 'content/news/a.md'), 'w');
    // Longer than the quiet time before a build: the first events are the truncation's alone.
    await new Promise((r) => setTimeout(r, 80));
    await file.writeFile(release({ title: 'After' }));
    await file.close();
    await settled(dev, builds, (b) => b.change?.urls.includes('/news/a/') ?? false);
    expect((await get(dev, '/news/a/')).text).toContain('After');
    await new Promise((r) => setTimeout(r, 300));
    await dev.idle();
    // No build of the empty file, which would put an error on every open page. (The write's own event may come
    // after the build has read the text: then one more build finds nothing to change.)
    expect(builds.length).toBeGreaterThan(0);
    expect(builds.every((b) => b.ok)).toBe(true);
  });

  it('does not build again by itself when nothing changes (reading sources is not a change)', async () => {
    const root = await makeSite({ 'content/news/a.md': release() });
    const { dev, builds } = await start(root);
    await new Promise((r) => setTimeout(r, 600));
    await dev.idle();
    expect(builds).toEqual([]);
  });

  it('finds edits, new files and deletions that no watcher reported, by its periodic sweep', async () => {
    const root = await makeSite({ 'content/news/a.md': release({ title: 'Before' }), 'content/news/b.md': release() });
    const { dev, builds } = await start(root, { watch: false, verifyEveryMs: 150 });
    await writeFile(path.join(root, 'content/news/a.md'), release({ title: 'After' }));
    await settled(dev, builds, (b) => b.change?.urls.includes('/news/a/') ?? false);
    expect((await get(dev, '/news/a/')).text).toContain('After');
    await writeFile(path.join(root, 'content/news/c.md'), release({ title: 'Third' }));
    await rm(path.join(root, 'content/news/b.md'));
    await settled(dev, builds, (b) => b.change?.urls.includes('/news/c/') ?? false);
    await settled(dev, builds, (b) => b.change?.urls.includes('/news/b/') ?? false);
    expect((await get(dev, '/news/b/')).status).toBe(404);
    await expectClean(dev, root);
  });

  it('shows drafts and embargoed releases under a banner with includeDrafts, and never without', async () => {
    const files = {
      'content/news/draft.md': release({ title: 'A Draft', draft: 'true' }),
      'content/news/later.md': release({ title: 'Later', embargo: '2030-01-01T09:00:00+01:00' }),
    };
    const { dev } = await start(await makeSite(files), { includeDrafts: true });
    expect((await get(dev, '/news/draft/')).text).toContain('DRAFT');
    expect((await get(dev, '/news/later/')).text).toContain('EMBARGOED UNTIL 2030-01-01T09:00:00+01:00');
    await dev.close();
    const plain = await start(await makeSite(files));
    expect((await get(plain.dev, '/news/draft/')).status).toBe(404);
    expect((await get(plain.dev, '/news/')).text).not.toContain('Later');
  });

  it('sees a release in a folder created after it started (mkdir -p, then write)', async () => {
    const root = await makeSite({ 'content/news/a.md': release() });
    const { dev, builds } = await start(root);
    await mkdir(path.join(root, 'content/news/2026/11'), { recursive: true });
    await writeFile(path.join(root, 'content/news/2026/11/new-one.md'), release({ title: 'Brand New Release' }));
    await settled(dev, builds, (b) => b.change?.urls.includes('/news/new-one/') ?? false);
    expect((await get(dev, '/news/new-one/')).status).toBe(200);
    expect((await get(dev, '/news/')).text).toContain('Brand New Release');
    await expectClean(dev, root);
  });

  it('removes a deleted release from its URL and every listing; a renamed one moves', async () => {
    const root = await makeSite({
      'content/news/a.md': release({ title: 'Release A' }),
      'content/news/b.md': release({ title: 'Release B' }),
    });
    const { dev, builds } = await start(root);
    expect((await get(dev, '/news/a/')).status).toBe(200);
    await rm(path.join(root, 'content/news/a.md'));
    await settled(dev, builds, (b) => b.change?.urls.includes('/news/a/') ?? false);
    expect((await get(dev, '/news/a/')).status).toBe(404);
    expect((await get(dev, '/news/')).text).not.toContain('Release A');
    expect((await get(dev, '/')).text).not.toContain('Release A');

    builds.length = 0;
    await mkdir(path.join(root, 'content/news/2020'));
    await rename(path.join(root, 'content/news/b.md'), path.join(root, 'content/news/2020/b-moved.md'));
    await settled(dev, builds, (b) => b.change?.urls.includes('/news/b-moved/') ?? false);
    expect((await get(dev, '/news/b/')).status).toBe(404);
    expect((await get(dev, '/news/b-moved/')).text).toContain('Release B');
    await expectClean(dev, root);
  });

  it('re-renders every page when a partial included two levels down changes', async () => {
    const root = await makeSite({
      'content/news/a.md': release(),
      'content/pages/about.md': '---\ntitle: About\n---\n\nHi.\n',
    });
    await writeFile(path.join(root, 'templates/partials/stamp.njk'), '<p class="stamp">one</p>\n');
    const nav = path.join(root, 'templates/partials/breadcrumbs.njk');
    const { readFile } = await import('node:fs/promises');
    await writeFile(nav, `${await readFile(nav, 'utf8')}{% include "partials/stamp.njk" %}\n`);
    const { dev, builds } = await start(root);
    await writeFile(path.join(root, 'templates/partials/stamp.njk'), '<p class="stamp">two</p>\n');
    await settled(dev, builds, (b) => (b.change?.urls.length ?? 0) > 0);
    for (const url of ['/news/a/', '/about/', '/news/']) {
      expect((await get(dev, url)).text).toContain('<p class="stamp">two</p>');
    }
    await expectClean(dev, root);
  });

  it('gives one build for a git checkout that changes 500 releases', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 500; i++) files[`content/news/r${i}.md`] = release({ title: `Release ${i} on main` });
    const root = await makeSite(files);
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], {
        cwd: root,
        stdio: 'pipe',
      });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-qm', 'main');
    git('checkout', '-qb', 'other');
    for (let i = 0; i < 500; i++) {
      await writeFile(path.join(root, `content/news/r${i}.md`), release({ title: `Release ${i} on other` }));
    }
    git('commit', '-qam', 'other');
    git('checkout', '-q', 'main');

    const { dev, builds } = await start(root);
    git('checkout', '-q', 'other');
    await settled(dev, builds);
    await new Promise((r) => setTimeout(r, 500)); // any straggling event would start a second build by now
    await dev.idle();
    expect(builds).toHaveLength(1);
    const urls = builds[0]?.change?.urls ?? [];
    for (let i = 0; i < 500; i++) expect(urls).toContain(`/news/r${i}/`); // every release, in one change event
    expect(urls).toContain('/news/feed.xml');
    expect(urls).not.toContain('/404.html');
    expect((await get(dev, '/news/r499/')).text).toContain('Release 499 on other');
    await expectClean(dev, root);
  }, 60_000);

  it('keeps serving the last good site while a build fails, and recovers when the file is fixed', async () => {
    const root = await makeSite({ 'content/news/a.md': release({ title: 'Good Title' }) });
    const { dev, builds } = await start(root);
    await writeFile(path.join(root, 'content/news/a.md'), release({ title: 'Bad Date Title', date: '2020-02-30' }));
    await settled(dev, builds, (b) => !b.ok);
    const failed = builds.find((b) => !b.ok);
    expect(failed?.diagnostics.map((d) => `${d.file}:${d.line}`)).toContain('content/news/a.md:3');
    expect((await get(dev, '/news/a/')).text).toContain('Good Title');

    builds.length = 0;
    await writeFile(path.join(root, 'content/news/a.md'), release({ title: 'Fixed Title' }));
    await settled(dev, builds, (b) => b.ok);
    expect((await get(dev, '/news/a/')).text).toContain('Fixed Title');
    await expectClean(dev, root);
  });

  it('reports a file over the size limit from its size, never reading it, and builds it once it is small', async () => {
    const root = await makeSite({ 'content/news/a.md': release({ title: 'Good Title' }) });
    const { dev, builds } = await start(root);
    // 600 MB (sparse, so it takes no disk): more than a JavaScript string can hold, so reading it whole would fail
    // with a message naming no file.
    const huge = path.join(root, 'content/news/huge.md');
    await writeFile(huge, '');
    await truncate(huge, 600_000_000);
    await writeFile(path.join(root, 'content/news/b.md'), release({ title: 'Bad Date', date: '2020-02-30' }));
    await settled(dev, builds, (b) => !b.ok);
    const failed = builds.find((b) => !b.ok);
    const lines = failed?.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message} [${d.rule}]`);
    expect(lines).toContainEqual(
      'content/news/huge.md:1:1: the file is 600 MB, over the limit of 5 MB a file: split it, or raise limits.fileSize in site.yaml [limits/file-size]',
    );
    // Every error of the run, not only the first.
    expect(lines?.some((line) => line.startsWith('content/news/b.md:3:'))).toBe(true);
    expect((await get(dev, '/news/a/')).text).toContain('Good Title');
    // Its stamp is remembered though its text is not: the sweep after a build does not take it for changed.
    const count = builds.length;
    await new Promise((r) => setTimeout(r, 1000));
    await dev.idle();
    expect(builds).toHaveLength(count);

    builds.length = 0;
    await writeFile(huge, release({ title: 'Small Now' }));
    await writeFile(path.join(root, 'content/news/b.md'), release({ title: 'Fixed Date' }));
    await settled(dev, builds, (b) => b.ok);
    expect((await get(dev, '/news/huge/')).text).toContain('Small Now');
    await expectClean(dev, root);
  });

  it('reads a file it listed unread once site.yaml raises the size limit above it', async () => {
    const body = `${'Long text. '.repeat(300)}\n`;
    const root = await makeSite({
      'content/_data/site.yaml': `${SITE_YAML}limits:\n  fileSize: 1 kB\n`,
      'content/news/long.md': release({ title: 'Long Release' }, body),
    });
    const { dev, builds } = await start(root);
    // The first build, over the limit, wrote nothing.
    expect((await get(dev, '/news/long/')).status).toBe(404);
    await writeFile(path.join(root, 'content/_data/site.yaml'), `${SITE_YAML}limits:\n  fileSize: 50 kB\n`);
    await settled(dev, builds, (b) => b.ok);
    expect((await get(dev, '/news/long/')).text).toContain('Long Release');
    await expectClean(dev, root);
  });
});
