import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDist, tempDir } from '../helpers/dist.js';
import { newsroom } from '../helpers/newsroom-process.js';
import { sampleSite } from '../helpers/publish-site.js';

const manifestOf = (root: string) => path.join(root, 'dist/.newsroom/manifest.json');

describe('newsroom diff', () => {
  it('lists added, changed and removed files, then the purge list, as text and as JSON', async () => {
    const old = await makeDist(sampleSite('v1'));
    const { 'news/b/index.html': _b, ...rest } = sampleSite('v1');
    const next = await makeDist({ ...rest, 'news/a/index.html': '<h1>A, corrected</h1>', 'news/c/index.html': 'C' });
    const text = await newsroom(['diff', manifestOf(old), manifestOf(next)]);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toBe(
      [
        '+ news/c/index.html',
        '~ news/a/index.html',
        '- news/b/index.html',
        'newsroom: 1 added, 1 changed, 1 removed, 9 unchanged',
        'purge 3 paths:',
        '  /newsroom/news/a/',
        '  /newsroom/news/b/',
        '  /newsroom/news/c/',
        '',
      ].join('\n'),
    );
    const json = await newsroom(['diff', manifestOf(old), manifestOf(next), '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      added: ['news/c/index.html'],
      changed: ['news/a/index.html'],
      removed: ['news/b/index.html'],
      purge: {
        // The added page too: a CDN may have cached a 404 for it.
        paths: ['/newsroom/news/a/', '/newsroom/news/b/', '/newsroom/news/c/'],
        urls: [
          'https://news.example.org/newsroom/news/a/',
          'https://news.example.org/newsroom/news/b/',
          'https://news.example.org/newsroom/news/c/',
        ],
      },
    });
  });

  it('exits 1 with one line for a missing or invalid manifest', async () => {
    const good = manifestOf(await makeDist(sampleSite()));
    const dir = await tempDir();
    await mkdir(dir, { recursive: true });
    const notJson = path.join(dir, 'not.json');
    const wrong = path.join(dir, 'wrong.json');
    await writeFile(notJson, '{ nope');
    await writeFile(wrong, JSON.stringify({ generator: 'newsroom', version: 2 }));
    const cases: [string, RegExp][] = [
      [path.join(dir, 'missing.json'), /missing\.json does not exist: build the site first$/],
      [notJson, /not\.json is not JSON: /],
      [
        wrong,
        /wrong\.json is not a Newsroom manifest \(version: .*\): give the dist\/\.newsroom\/manifest\.json of a build$/,
      ],
    ];
    for (const [file, message] of cases) {
      const result = await newsroom(['diff', file, good]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^newsroom: /);
      expect(lines[0]).toMatch(message);
    }
  });
});
