import { describe, expect, it } from 'vitest';
import { diffManifests, purgeOf, urlPathOf } from '../../../src/publish/diff.js';
import { formatDiff } from '../../../src/publish/diff-report.js';
import type { ManifestEntry } from '../../../src/publish/manifest.js';
import { manifestOf } from '../../helpers/dist.js';

const OLD = {
  'index.html': '<h1>Home</h1>',
  'index.html.br': 'br-home',
  'news/a/index.html': 'A',
  'news/b/index.html': 'B',
  'news/feed.xml': '<rss/>',
  '404.html': 'Not found',
  'css/site.3f9a1c2b.css': 'body{}',
  'robots.txt': 'User-agent: *',
};

describe('diffManifests', () => {
  it('sorts added, changed and removed paths and purges the URLs of added, changed and removed pages and feeds', () => {
    const { 'news/b/index.html': _b, 'css/site.3f9a1c2b.css': _css, ...kept } = OLD;
    const next = manifestOf({
      ...kept,
      'index.html': '<h1>Home 2</h1>',
      'index.html.br': 'br-home-2',
      'news/feed.xml': '<rss>2</rss>',
      '404.html': 'Gone',
      'css/site.9e8d7c6b.css': 'body{color:red}',
      'robots.txt': 'User-agent: *\nDisallow: /x',
      'news/c/index.html': 'C',
    });
    const diff = diffManifests(manifestOf(OLD), next);
    expect(diff.added).toEqual(['css/site.9e8d7c6b.css', 'news/c/index.html']);
    expect(diff.changed).toEqual(['404.html', 'index.html', 'index.html.br', 'news/feed.xml', 'robots.txt']);
    expect(diff.removed).toEqual(['css/site.3f9a1c2b.css', 'news/b/index.html']);
    expect(diff.unchanged).toBe(1);
    // The added page too: a CDN may hold a cached 404 for it. Not the stylesheets or robots.txt (not pages).
    expect(diff.purge.paths).toEqual([
      '/newsroom/',
      '/newsroom/404.html',
      '/newsroom/news/b/',
      '/newsroom/news/c/',
      '/newsroom/news/feed.xml',
    ]);
    expect(diff.purge.urls).toEqual([
      'https://news.example.org/newsroom/',
      'https://news.example.org/newsroom/404.html',
      'https://news.example.org/newsroom/news/b/',
      'https://news.example.org/newsroom/news/c/',
      'https://news.example.org/newsroom/news/feed.xml',
    ]);
  });

  it('counts a change of Content-Type, Cache-Control or Content-Encoding, but not of sources', () => {
    const old = manifestOf({ 'a.html': 'A', 'b.html': 'B', 'c.html': 'C', 'd.html': 'D' });
    const next = manifestOf({
      'a.html': { contents: 'A', type: 'text/plain; charset=utf-8' },
      'b.html': { contents: 'B', cacheControl: 'no-cache' },
      'c.html': { contents: 'C', encoding: 'gzip' },
      'd.html': 'D',
    });
    const files = next.files.map((f) => (f.path === 'd.html' ? { ...f, sources: ['content/d.md'] } : f));
    const diff = diffManifests(old, { ...next, files });
    expect(diff.changed).toEqual(['a.html', 'b.html', 'c.html']);
    expect(diff.unchanged).toBe(1);
  });

  it('treats everything as added on a first publish, and purges every page and feed', () => {
    const diff = diffManifests(undefined, manifestOf(OLD));
    expect(diff.added).toHaveLength(Object.keys(OLD).length);
    expect(diff).toMatchObject({ changed: [], removed: [], unchanged: 0 });
    expect(diff.purge.paths).toEqual([
      '/newsroom/',
      '/newsroom/404.html',
      '/newsroom/news/a/',
      '/newsroom/news/b/',
      '/newsroom/news/feed.xml',
    ]);
  });

  it('formats the text report', () => {
    const diff = diffManifests(
      manifestOf({ 'a.html': 'A', 'b.html': 'B' }),
      manifestOf({ 'a.html': 'A2', 'c.html': 'C' }),
    );
    expect(formatDiff(diff)).toEqual([
      '+ c.html',
      '~ a.html',
      '- b.html',
      'newsroom: 1 added, 1 changed, 1 removed, 0 unchanged',
      'purge 3 paths:',
      '  /newsroom/a.html',
      '  /newsroom/b.html',
      '  /newsroom/c.html',
    ]);
  });
});

describe('purge paths', () => {
  const entry = (path: string, encoding?: 'br' | 'gzip'): Pick<ManifestEntry, 'path' | 'encoding'> => ({
    path,
    encoding,
  });

  it.each([
    ['index.html', undefined, '/newsroom/'],
    ['news/x/index.html', undefined, '/newsroom/news/x/'],
    ['404.html', undefined, '/newsroom/404.html'],
    ['news/feed.xml', undefined, '/newsroom/news/feed.xml'],
    ['news/x/index.html.br', 'br', '/newsroom/news/x/'],
    ['news/feed.xml.gz', 'gzip', '/newsroom/news/feed.xml'],
    ['news/café/index.html', undefined, '/newsroom/news/caf%C3%A9/'],
  ] as const)('%s (%s) is requested as %s', (path, encoding, url) => {
    expect(urlPathOf(entry(path, encoding), '/newsroom')).toBe(url);
  });

  it('has no prefix for a site at the root of its host, and deduplicates compressed copies', () => {
    const { files } = manifestOf({ 'index.html': 'A', 'index.html.br': 'B', 'index.html.gz': 'C', 'x.css': 'D' });
    expect(purgeOf(files, 'https://example.org')).toEqual({ paths: ['/'], urls: ['https://example.org/'] });
    expect(purgeOf(files, 'https://example.org/').paths).toEqual(['/']);
  });
});
