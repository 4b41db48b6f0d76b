import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/content/limits.js';
import { type LoadContext, loadRelease } from '../../../src/content/release.js';
import { createMarkdownProcessor } from '../../../src/markdown/processor.js';
import { release } from '../../helpers/site.js';

const context: LoadContext = {
  defaultLanguage: 'en',
  languages: ['en', 'fr', 'es', 'tr'],
  baseUrl: 'https://news.example.org',
  renderMarkdown: createMarkdownProcessor(),
  limits: DEFAULT_LIMITS,
  assets: new Set(['images/photo.jpg']),
};
const load = (text: string, path = 'content/news/test-release.md') => loadRelease({ path, text }, context);
const problems = (text: string) =>
  load(text).diagnostics.map((d) => ({ line: d.line, rule: d.rule, severity: d.severity, message: d.message }));

describe('loadRelease', () => {
  it('loads a valid release with defaults filled in', () => {
    const { release: r, diagnostics } = load(release());
    expect(diagnostics).toEqual([]);
    expect(r).toMatchObject({
      slug: 'test-release',
      url: '/news/test-release/',
      title: 'IOM Opens a Test Office',
      day: '2020-01-02',
      lang: 'en',
      draft: false,
      themes: [],
    });
    expect(r?.html).toBe('<p><strong>GENEVA</strong> – Officials met today.</p>\n');
  });

  it('requires title and date, pointing at the front matter', () => {
    const found = problems(release({ title: undefined, date: undefined }));
    expect(found.map((p) => [p.line, p.rule])).toEqual([
      [1, 'front-matter/title'],
      [1, 'front-matter/date'],
    ]);
    expect(found[0]?.message).toBe('title is required');
  });

  it.each([
    ['2024-02-30', 'impossible day'],
    ['2023-02-29', 'not a leap year'],
    ['2020-13-01', 'month 13'],
    ['15/05/2012', 'not ISO'],
    ['2012-05-15T09:00:00', 'date-time without offset'],
  ])('rejects date %s (%s) on the line of `date:`', (date) => {
    const found = problems(release({ location: 'Geneva', date: `"${date}"` }));
    expect(found).toEqual([expect.objectContaining({ line: 3, rule: 'front-matter/date', severity: 'error' })]);
    expect(found[0]?.message).toMatch(/YYYY-MM-DD/);
  });

  it.each(['2024-02-29', '2012-05-15T09:30:00+08:00', '2012-05-15T01:30:00Z'])('accepts date %s', (date) => {
    expect(problems(release({ date }))).toEqual([]);
  });

  it('warns about unknown keys, with a did-you-mean hint, and still loads', () => {
    const text = release({ tittle: 'Typo' });
    const { release: r, diagnostics } = load(text);
    expect(r).toBeDefined();
    expect(diagnostics).toEqual([
      expect.objectContaining({ line: 6, severity: 'warning', rule: 'front-matter/unknown-key' }),
    ]);
    expect(diagnostics[0]?.message).toBe('unknown key `tittle` is ignored (did you mean `title`?)');
  });

  it('warns about unknown nested keys', () => {
    const text = release({ contacts: '\n  - name: A\n    emial: a@iom.int' });
    expect(problems(text)).toEqual([
      expect.objectContaining({ line: 8, severity: 'warning', message: expect.stringContaining('`email`') }),
    ]);
  });

  it('validates contacts: email address and international phone number, on their own lines', () => {
    const text = release({
      contacts: '\n  - name: Kieran Best\n    phone: 12345\n    email: "kgormanbest@iom"',
    });
    const found = problems(text);
    expect(found.map((p) => [p.line, p.rule])).toEqual([
      [8, 'front-matter/contacts'],
      [9, 'front-matter/contacts'],
    ]);
    expect(found[0]?.message).toMatch(/international number/);
    expect(found[1]?.message).toMatch(/valid address/);
  });

  it('makes tel: and mailto:-ready contacts', () => {
    const text = release({
      contacts: '\n  - name: Kieran Best\n    phone: +86 10 5979 9695 ext. 203\n    email: kgormanbest@iom.int',
    });
    expect(load(text).release?.contacts[0]).toEqual({
      name: 'Kieran Best',
      office: undefined,
      phone: '+86 10 5979 9695 ext. 203',
      tel: 'tel:+861059799695;ext=203',
      email: 'kgormanbest@iom.int',
    });
  });

  it('requires alt text when an image is given, and a local image must exist', () => {
    const noAlt = problems(release({ image: '\n  src: /images/photo.jpg' }));
    expect(noAlt).toEqual([expect.objectContaining({ line: 6, rule: 'front-matter/image' })]);
    expect(noAlt[0]?.message).toMatch(/image alt/);
    const missing = problems(release({ image: '\n  src: /images/none.jpg\n  alt: A photo' }));
    expect(missing).toEqual([expect.objectContaining({ line: 7, rule: 'front-matter/image' })]);
  });

  it.each(['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', '//evil.example/x.jpg'])(
    'refuses image src %s',
    (src) => {
      expect(problems(release({ image: `\n  src: "${src}"\n  alt: A photo` })).map((p) => p.line)).toEqual([7]);
    },
  );

  it('requires booleans to be booleans (draft: no is a mistake, not false)', () => {
    expect(problems(release({ draft: 'no' }))).toEqual([
      expect.objectContaining({ line: 6, rule: 'front-matter/draft', message: 'draft must be true or false' }),
    ]);
  });

  it('checks slugs from front matter and from the file name', () => {
    expect(problems(release({ slug: 'Not A Slug' }))).toEqual([
      expect.objectContaining({ line: 6, rule: 'front-matter/slug' }),
    ]);
    expect(problems(release({ slug: '../../etc' })).map((p) => p.rule)).toEqual(['front-matter/slug']);
    const fromName = load(release(), 'content/news/My Release.md').diagnostics;
    expect(fromName.map((d) => d.rule)).toEqual(['front-matter/slug']);
    expect(fromName[0]?.message).toMatch(/rename the file or add `slug:`/);
    expect(load(release({ slug: 'custom-one' })).release?.url).toBe('/news/custom-one/');
  });

  it('requires embargo to be a date-time with offset', () => {
    expect(problems(release({ embargo: '2030-01-01' })).map((p) => [p.line, p.rule])).toEqual([
      [6, 'front-matter/embargo'],
    ]);
    expect(load(release({ embargo: '2030-01-01T09:00:00+01:00' })).release?.embargo).toBe('2030-01-01T09:00:00+01:00');
  });

  it('takes updated as the last edit, and refuses one before the date', () => {
    const loaded = load(release({ date: '2020-01-02', updated: '2020-03-04T10:00:00+01:00' })).release;
    expect(loaded?.updated).toBe('2020-03-04T10:00:00+01:00');
    expect(load(release({ date: '2020-01-02' })).release?.updated).toBe('2020-01-02');
    expect(problems(release({ date: '2020-01-02', updated: '2019-12-31' }))).toEqual([
      {
        line: 6,
        rule: 'front-matter/updated',
        severity: 'error',
        message:
          'updated (2019-12-31) is before date (2020-01-02): a release is edited after it is dated; fix one of them',
      },
    ]);
  });

  it('is published under its language prefix, and only in a language of the site', () => {
    expect(load(release({ lang: 'fr' })).release?.url).toBe('/fr/news/test-release/');
    expect(problems(release({ lang: 'de' })).map((p) => [p.line, p.rule])).toEqual([[6, 'front-matter/lang']]);
  });

  it('reports every problem of a file in one go', () => {
    const found = problems(release({ date: '2024-02-30', draft: 'maybe', lang: 'English!', tittle: 'x' }));
    expect(found.map((p) => p.rule).sort()).toEqual([
      'front-matter/date',
      'front-matter/draft',
      'front-matter/lang',
      'front-matter/unknown-key',
    ]);
  });

  it('turns Markdown nested too deeply into a diagnostic on its line instead of a crash', () => {
    // Line 7 is the blank line after the front matter; the quotes are on line 8.
    const found = problems(release({}, `${'>'.repeat(5000)} deep\n`));
    expect(found).toEqual([expect.objectContaining({ rule: 'limits/nesting', line: 8 })]);
  });
});

describe('loadRelease with odd but valid input', () => {
  it('survives a malformed percent-escape in an image path and reports the missing file', () => {
    const found = load(release({ image: '\n  src: /images/%E0%A4%A.jpg\n  alt: A photo' })).diagnostics;
    expect(found.map((d) => d.rule)).toEqual(['front-matter/image']);
  });

  it('finds public files by their decoded path', () => {
    const ctx = { ...context, assets: new Set(['images/a b.jpg']) };
    const text = release({ image: '\n  src: /images/a%20b.jpg\n  alt: A photo' });
    expect(loadRelease({ path: 'content/news/x.md', text }, ctx).diagnostics).toEqual([]);
  });

  it('upper-cases the dateline by the language’s rules', () => {
    const r = load(release({ location: 'İzmir', lang: 'tr' })).release;
    expect(r?.html).toMatch(/^<p><strong>İZMİR<\/strong>/);
  });
});
