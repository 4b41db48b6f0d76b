import { load } from 'cheerio';
import type { Element } from 'domhandler';
import fc from 'fast-check';

/** Payloads that would run script if they reached a page as markup; each calls `alert`, which the checks look for. */
export const PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '[x](javascript:alert(1))',
  '![x](javascript:alert(1))',
  '<a href="javascript:alert(1)">x</a>',
  '<iframe src="javascript:alert(1)">',
  '[x]: javascript:alert(1)\n\n[x]',
  '<javascript:alert(1)>',
  '{{ range.constructor("return alert(1)")() }}',
  '{% set x = range.constructor("return alert(1)")() %}',
  '<details open ontoggle=alert(1)>',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
];

/** Pieces of text an editor's paste or an attacker brings: odd Unicode, control characters, line ends, Markdown. */
const piece: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '\n',
      '\r',
      '\r\n',
      '\t',
      '\0',
      '\uFEFF',
      '\uD800',
      '\uDFFF',
      '\u0301\u0301\u0301',
      '😀',
      '\u202E',
      '\u2028',
      '\x1B[31m',
      '> ',
      '- ',
      '* ',
      '1. ',
      '    ',
      '#',
      '`',
      '```',
      '~~',
      '*',
      '_',
      '[',
      ']',
      '(',
      ')',
      '|',
      '---',
      '<',
      '&',
      '&#0;',
      '\\',
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom(...PAYLOADS) },
  // Very long lines, and quotes and lists nested up to three times the limit.
  { weight: 1, arbitrary: fc.nat(20_000).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.nat(300).map((n) => `${'> '.repeat(n)}deep\n`) },
  {
    weight: 1,
    arbitrary: fc.nat(150).map((n) => `${Array.from({ length: n }, (_, i) => `${'  '.repeat(i)}- item`).join('\n')}\n`),
  },
  { weight: 1, arbitrary: fc.nat(300).map((n) => `${'- '.repeat(n)}deep\n`) },
);

/** Random text made of {@link piece}s. */
export const hostileText = (maxPieces: number): fc.Arbitrary<string> =>
  fc.array(piece, { maxLength: maxPieces }).map((parts) => parts.join(''));

/** A YAML-ish value: plain, quoted, flow, anchors and aliases, tags, nesting. */
const yamlValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileText(4) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'Geneva',
      '2020-01-02',
      '2024-02-30',
      'yes',
      'no',
      '~',
      '"quoted \\" text"',
      "'single'",
      '[a, b]',
      '{a: 1}',
      '&anchor [x, x, x]',
      '*anchor',
      '!!js/function "function () { alert(1) }"',
      '!!python/object/apply:os.system [id]',
      '!custom x',
      '|\n  block text',
      '>-\n  folded text',
      '\n  - name: A\n    email: a@example.org',
      '\n  src: /images/x.jpg\n  alt: x',
      `${'['.repeat(150)}${']'.repeat(150)}`,
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(...PAYLOADS).map((p) => JSON.stringify(p)) },
);

const yamlKey: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'title',
      'date',
      'summary',
      'location',
      'country',
      'region',
      'themes',
      'contacts',
      'image',
      'lang',
      'draft',
      'embargo',
      'slug',
      'aliases',
      'updated',
      'translationKey',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '<<', '? complex', '"quoted"') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }) },
);

/** Random front matter: `key: value` lines, usually with a title and a date so many cases get as far as Markdown. */
export const hostileFrontMatter: fc.Arbitrary<string> = fc
  .record({
    valid: fc.boolean(),
    lines: fc.array(fc.tuple(yamlKey, yamlValue), { maxLength: 6 }),
    junk: fc.option(hostileText(3)),
  })
  .map(({ valid, lines, junk }) =>
    [
      ...(valid ? ['title: A title', 'date: 2020-01-02'] : []),
      ...lines.map(([k, v]) => `${k}: ${v}`),
      ...(junk === null ? [] : [junk]),
    ].join('\n'),
  );

/** Valid front matter whose text fields hold hostile text (as YAML double-quoted strings). */
const validFrontMatter: fc.Arbitrary<string> = fc
  .record({
    title: hostileText(3),
    location: fc.option(hostileText(2)),
    summary: fc.option(hostileText(3)),
    // Themes whose slugs are not empty and seldom clash (two spellings of one URL are an error, rightly).
    themes: fc.array(fc.tuple(fc.nat(1_000_000_000), hostileText(2)), { maxLength: 3 }),
  })
  .map(({ title, location, summary, themes }) =>
    [
      `title: ${JSON.stringify(`T ${title}`)}`,
      'date: 2020-01-02',
      ...(location === null ? [] : [`location: ${JSON.stringify(`L ${location}`)}`]),
      ...(summary === null ? [] : [`summary: ${JSON.stringify(summary)}`]),
      ...(themes.length === 0 ? [] : [`themes: [${themes.map(([n, t]) => JSON.stringify(`t${n} ${t}`)).join(', ')}]`]),
    ].join('\n'),
  );

/** A whole Markdown file: a BOM sometimes, fences of several kinds, mixed line ends, front matter and body. */
export const hostileFile: fc.Arbitrary<string> = fc
  .record({
    bom: fc.boolean(),
    open: fc.oneof({ weight: 8, arbitrary: fc.constant('---') }, fc.constantFrom('---js', '--- yaml', '', '----')),
    close: fc.oneof({ weight: 8, arbitrary: fc.constant('---') }, fc.constantFrom('', '...')),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    frontMatter: fc.oneof({ weight: 2, arbitrary: validFrontMatter }, hostileFrontMatter),
    body: hostileText(12),
  })
  .map(
    ({ bom, open, close, eol, frontMatter, body }) =>
      `${bom ? '\uFEFF' : ''}${open}${eol}${frontMatter.replace(/\n/g, eol)}${eol}${close}${eol}${body}`,
  );

/** What in `html` could run script: script elements, on* attributes, javascript:/vbscript:/data: URLs. */
export function scriptIn(html: string): string[] {
  // As the page is written: UTF-8 turns a lone surrogate into U+FFFD. parse5 throws on two lone low surrogates in
  // a row ("Invalid code point 2162687", found by `npm run fuzz`, seed -828307867).
  const $ = load(Buffer.from(html, 'utf8').toString('utf8'), null, false);
  const found: string[] = [];
  $('script, iframe, object, embed, base, form, meta').each((_, el) => {
    found.push(`<${el.tagName}>`);
  });
  $('*').each((_, node) => {
    const el = node as Element;
    for (const [name, value] of Object.entries(el.attribs)) {
      if (/^on/i.test(name)) found.push(`${el.tagName}[${name}]`);
      if (/^(href|src|action|formaction|xlink:href|srcset)$/i.test(name)) {
        const url = value.replace(/[\p{Cc}\s]/gu, '').toLowerCase();
        if (/^(javascript|vbscript|data):/.test(url)) found.push(`${el.tagName}[${name}=${value}]`);
      }
    }
  });
  return found;
}

/** A release an editor could have written, with hostile text in its title, dateline, summary, themes and body. */
export const hostileRelease: fc.Arbitrary<string> = fc
  .record({ eol: fc.constantFrom('\n', '\r\n', '\r'), frontMatter: validFrontMatter, body: hostileText(8) })
  .map(({ eol, frontMatter, body }) => `---${eol}${frontMatter.replace(/\n/g, eol)}${eol}---${eol}${body}`);
