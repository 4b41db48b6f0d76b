import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/content/limits.js';
import { type LoadContext, loadRelease, type Release } from '../../../src/content/release.js';
import { slimRelease, ValuePool } from '../../../src/content/slim-release.js';
import { createMarkdownProcessor } from '../../../src/markdown/processor.js';
import { release } from '../../helpers/site.js';

const context: LoadContext = {
  defaultLanguage: 'en',
  languages: ['en', 'fr'],
  baseUrl: 'https://news.example.org',
  renderMarkdown: createMarkdownProcessor(),
  limits: DEFAULT_LIMITS,
  assets: new Set(),
};

/** A release as the main thread gets it from a worker thread or the cache: a structured clone. */
function loaded(slug: string): Release {
  const text = release(
    {
      themes: '[Health, Migration]',
      region: 'Europe',
      country: 'Ukraine',
      contacts: '[{name: Ana, email: ana@example.org}]',
      summary: 'Curly quotes make the file’s text two-byte.',
    },
    `Officials met today in “Kyiv”.\n`,
  );
  const value = loadRelease({ path: `content/news/${slug}.md`, text }, context).release;
  if (!value) throw new Error('the fixture must load');
  return deserialize(serialize(value)) as Release;
}

describe('slimRelease', () => {
  it('keeps everything routing and listings read, and leaves the body and contacts in the cache entry', () => {
    const whole = loaded('a');
    const slim = slimRelease(whole, 'key-a', new ValuePool());
    const { html, contacts, ...kept } = whole;
    expect(html).not.toBe('');
    expect(contacts).toHaveLength(1);
    expect(slim).toEqual({ ...kept, html: '', contacts: [], htmlKey: 'key-a' });
  });

  it('shares the values releases have in common instead of one copy per release', () => {
    const pool = new ValuePool();
    const [a, b] = [slimRelease(loaded('a'), 'key-a', pool), slimRelease(loaded('b'), 'key-b', pool)];
    expect(b.themes).toBe(a.themes);
    expect(b.lines).toBe(a.lines);
    expect(b.aliases).toBe(a.aliases);
    expect(b.contacts).toBe(a.contacts);
    expect(b.url).not.toBe(a.url);
  });
});
