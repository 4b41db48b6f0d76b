import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSite, cli, makeSite, page, release, tempDir } from '../helpers/site.js';

const LINE = /^(?<file>[^:\s]+):(?<line>\d+):(?<column>\d+): (?<message>.+) \[(?<rule>[a-z-]+\/[A-Za-z_-]+)\]$/;

/** The diagnostics a run printed, parsed from `path:line:column: message [rule]` lines. */
function diagnostics(stderr: string) {
  return stderr
    .split('\n')
    .map((l) => LINE.exec(l)?.groups)
    .filter((g): g is Record<string, string> => g !== undefined)
    .map((g) => `${g.file}:${g.line} ${g.rule}`);
}

describe('errors an editor can cause', () => {
  it('reports every problem of the run at file and line, exit 1, no stack trace', async () => {
    const root = await makeSite({
      'content/news/bad-date.md': release({ date: '2024-02-30' }),
      'content/news/bad-contact.md': release({ contacts: '\n  - name: A\n    email: nope' }),
      'content/news/no-alt.md': release({ image: '\n  src: https://www.iom.int/x.jpg' }),
      'content/news/code.md': '---js\n{ title: "x" }\n---\n',
      'content/news/ok.md': release({ tittle: 'typo' }),
      'content/pages/news-ish/index.md': '---\ntitle: [unclosed\n---\n',
    });
    const run = await buildSite(root);
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual([
      'content/news/bad-contact.md:8 front-matter/contacts',
      'content/news/bad-date.md:3 front-matter/date',
      'content/news/code.md:1 front-matter/language',
      'content/news/no-alt.md:6 front-matter/image',
      'content/news/ok.md:6 front-matter/unknown-key',
      expect.stringMatching(/^content\/pages\/news-ish\/index\.md:\d+ yaml\//),
    ]);
    expect(run.stderr).toContain('content/news/ok.md:6:1: warning: unknown key `tittle` is ignored');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).toMatch(/build failed \(5 errors, 1 warning\)/);
    expect(existsSync(path.join(root, 'dist'))).toBe(false);
  });

  it('leaves the previous output exactly as it was when a build fails', async () => {
    const root = await makeSite({ 'content/news/first.md': release() });
    expect((await buildSite(root)).code).toBe(0);
    const before = await readFile(path.join(root, 'dist/news/first/index.html'));
    await writeFile(path.join(root, 'content/news/first.md'), release({ title: 'Changed' }));
    await writeFile(path.join(root, 'content/news/second.md'), release({ date: 'yesterday' }));
    const run = await buildSite(root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the previous output is unchanged');
    expect(await readFile(path.join(root, 'dist/news/first/index.html'))).toEqual(before);
    expect(existsSync(path.join(root, 'dist/news/second'))).toBe(false);
  });

  it('names both files when two releases want the same URL', async () => {
    const root = await makeSite({
      'content/news/2019/same.md': release(),
      'content/news/2020/other.md': release({ slug: 'same' }),
    });
    const run = await buildSite(root);
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual([
      'content/news/2019/same.md:1 routes/duplicate-url',
      'content/news/2020/other.md:6 routes/duplicate-url',
    ]);
    expect(run.stderr).toContain(
      'content/news/2019/same.md:1:1: news/same/index.html is also produced by content/news/2020/other.md',
    );
  });

  it('reports a page or public file that clashes with a generated page', async () => {
    const root = await makeSite({
      'content/pages/news/index.md': '---\ntitle: News clash\n---\nx\n',
      'public/404.html': 'static',
    });
    const found = diagnostics((await buildSite(root)).stderr);
    expect(found).toEqual([
      'content/pages/news/index.md:1 routes/duplicate-url',
      'public/404.html:1 routes/duplicate-url',
    ]);
  });

  it('reports navigation entries that lead nowhere, on their line', async () => {
    const root = await makeSite({
      'content/_data/navigation.yaml': 'items:\n  - label: News\n    url: /news/\n  - label: Gone\n    url: /gone/\n',
    });
    const run = await buildSite(root);
    expect(diagnostics(run.stderr)).toEqual(['content/_data/navigation.yaml:5 navigation/broken-link']);
  });

  it('rejects javascript: URLs in navigation.yaml', async () => {
    const root = await makeSite({
      'content/_data/navigation.yaml': 'items:\n  - label: Bad\n    url: "javascript:alert(1)"\n',
    });
    expect(diagnostics((await buildSite(root)).stderr)).toEqual(['content/_data/navigation.yaml:3 navigation/items']);
  });

  it('reports a broken site.yaml and a missing one', async () => {
    const bad = await makeSite({
      'content/_data/site.yaml': 'title: X\nbaseUrl: ftp://x\norganisation:\n  name: IOM\n',
    });
    expect(diagnostics((await buildSite(bad)).stderr)).toEqual(['content/_data/site.yaml:2 site/baseUrl']);
    const none = await makeSite({});
    await writeFile(path.join(none, 'content/_data/site.yaml'), '');
    expect((await buildSite(none)).code).toBe(1);
  });

  it('points template errors at the template file and line', async () => {
    const root = await makeSite({ 'content/news/a.md': release() });
    const layout = path.join(root, 'templates/release.njk');
    const text = await readFile(layout, 'utf8');
    await writeFile(layout, text.replace('<h1>{{ r.title }}</h1>', '<h1>{{ r.title }</h1>'));
    const line = text.split('\n').findIndex((l) => l.includes('<h1>{{ r.title }}</h1>')) + 1;
    const run = await buildSite(root);
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual([`templates/release.njk:${line} template/render`]);

    await writeFile(layout, text.replace('<h1>{{ r.title }}</h1>', '<h1>{{ r.title | nosuchfilter }}</h1>'));
    expect((await buildSite(root)).stderr).toMatch(/templates\/release\.njk:\d+:\d+: filter not found: nosuchfilter/);

    await writeFile(layout, text.replace('<h1>{{ r.title }}</h1>', '<h1>{{ r.missing() }}</h1>'));
    expect(diagnostics((await buildSite(root)).stderr)).toEqual([`templates/release.njk:${line} template/render`]);
  });

  it('does not read a symlink that points outside the root', async () => {
    const outside = await tempDir();
    await writeFile(path.join(outside, 'secret.md'), release({ title: 'TOP SECRET' }));
    const root = await makeSite({ 'content/news/a.md': release() });
    await symlink(path.join(outside, 'secret.md'), path.join(root, 'content/news/secret.md'));
    const run = await buildSite(root);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('content/news/secret.md:1:1: warning: symlink points outside the site root');
    expect(existsSync(path.join(root, 'dist/news/secret'))).toBe(false);
  });

  it('refuses an --out that would replace the sources or a directory it did not write', async () => {
    const root = await makeSite({});
    const run = await cli('build', '--root', root, '--out', path.join(root, 'content'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/would overwrite the site's sources/);
    const foreign = path.join(await tempDir(), 'mine');
    await mkdir(foreign);
    await writeFile(path.join(foreign, 'thesis.docx'), 'precious');
    const second = await cli('build', '--root', root, '--out', foreign);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/was not written by newsroom/);
    expect(await readFile(path.join(foreign, 'thesis.docx'), 'utf8')).toBe('precious');
  });
});

describe('hostile content never runs', () => {
  it('keeps template syntax in content and front matter as text', async () => {
    const root = await makeSite({
      'content/news/inject.md': release(
        { title: '"{{ 7*7 }} {{ range.constructor(\'return process\')() }}"', summary: '"{% raw %}x"' },
        'Body {{ 7*7 }} and {% include "base.njk" %}\n',
      ),
    });
    expect((await buildSite(root)).code).toBe(0);
    const $ = await page(root, 'news/inject/index.html');
    expect($('h1').text()).toBe("{{ 7*7 }} {{ range.constructor('return process')() }}");
    expect($('.release__body').text()).toContain('Body {{ 7*7 }} and {% include "base.njk" %}');
    expect($('.release__summary').text()).toBe('{% raw %}x');
  });

  it('escapes front matter everywhere, and cannot break out of the JSON-LD block', async () => {
    const title = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';
    const root = await makeSite({
      'content/news/xss.md': release({
        title: JSON.stringify(title),
        location: '"<b onmouseover=alert(3)>Gen</b>"',
        contacts: '\n  - name: "<script>alert(4)</script>"\n    email: a@iom.int',
      }),
    });
    expect((await buildSite(root)).code).toBe(0);
    const $ = await page(root, 'news/xss/index.html');
    // The only scripts: the JSON-LD block and the site's own navigation script.
    expect($('script').length).toBe(2);
    expect($('script[type="application/ld+json"]').length).toBe(1);
    expect($('script:not([type])').attr('src')).toBe('/js/site.js');
    expect(JSON.parse($('script[type="application/ld+json"]').text()).headline).toBe(title);
    expect($('[onerror], [onmouseover], b').length).toBe(0);
    expect($('h1').text()).toBe(title);
    for (const listing of ['news/index.html', 'index.html']) {
      const list = await page(root, listing);
      expect(list('script:not([src="/js/site.js"]), [onerror]').length, listing).toBe(0);
      expect(list('.card__title').text(), listing).toBe(title);
    }
  });

  it('never runs ---js front matter', async () => {
    const root = await makeSite({});
    const marker = path.join(root, 'pwned');
    await mkdir(path.join(root, 'content/news'), { recursive: true });
    await writeFile(
      path.join(root, 'content/news/rce.md'),
      `---js\n{ title: require('fs').writeFileSync(${JSON.stringify(marker)}, 'x') }\n---\nbody\n`,
    );
    const run = await buildSite(root);
    expect(run.code).toBe(1);
    expect(existsSync(marker)).toBe(false);
  });
});
