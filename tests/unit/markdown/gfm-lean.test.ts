import fc from 'fast-check';
import { remark } from 'remark';
import remarkGfm from 'remark-gfm';
import remarkHtml from 'remark-html';
import { describe, expect, it } from 'vitest';
import { createMarkdownProcessor } from '../../../src/markdown/processor.js';
import { remarkGfmWithoutEmail } from '../../../src/markdown/remark-gfm-lean.js';

const gfm = remark().use(remarkGfm).use(remarkHtml).freeze();
const lean = remark().use(remarkGfmWithoutEmail).use(remarkHtml).freeze();
const html = (processor: typeof gfm, markdown: string): string => String(processor.processSync(markdown));

/** Pieces that make every GFM construct, and the places where autolink literals are hard to get right. */
const PIECES = [
  'www.',
  'http://',
  'https://',
  'HTTP://',
  'WWW.',
  'mailto:',
  'xmpp:',
  'iom.int',
  'a',
  'x_y',
  '.',
  ',',
  '-',
  '_',
  '~',
  '~~',
  '*',
  '**',
  '`',
  '(',
  ')',
  '[',
  ']',
  '](',
  '<',
  '>',
  '&amp;',
  '&',
  ';',
  '"',
  "'",
  '/',
  '?',
  '#',
  ':',
  '!',
  '\\',
  ' ',
  '\n',
  '\n\n',
  '| a | b |\n| - | - |\n',
  '[^1]',
  '[^1]: note\n',
  '- [ ] ',
  '- [x] ',
  '> ',
  '1. ',
  'é',
  'İ',
  '日本',
  '\t',
];

describe('remarkGfmWithoutEmail', () => {
  it('renders every document without an @ exactly as remark-gfm does', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), (pieces) => {
        const markdown = pieces.join('');
        expect(html(lean, markdown)).toBe(html(gfm, markdown));
      }),
      { numRuns: 3000 },
    );
  });

  it('still links www. and http(s):// literals, tables, strikethrough, footnotes and task lists', () => {
    const out = html(
      lean,
      'See www.iom.int and https://x.org/a.\n\n| a |\n| - |\n| ~~b~~ |\n\n- [x] done[^1]\n\n[^1]: n\n',
    );
    expect(out).toContain('<a href="http://www.iom.int">www.iom.int</a>');
    expect(out).toContain('<a href="https://x.org/a">https://x.org/a</a>');
    expect(out).toContain('<del>b</del>');
    expect(out).toContain('type="checkbox"');
    expect(out).toContain('fnref');
  });

  it('is not used for a document with an @: e-mail addresses still become links', () => {
    const render = createMarkdownProcessor();
    expect(render('Write to press@iom.int.')).toContain('<a href="mailto:press@iom.int">press@iom.int</a>');
  });
});
