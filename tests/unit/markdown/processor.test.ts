import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { createMarkdownProcessor } from '../../../src/markdown/processor.js';

const render = createMarkdownProcessor();

describe('createMarkdownProcessor', () => {
  it('renders GFM tables, strikethrough and autolinks', () => {
    const html = render('| a | b |\n| - | - |\n| 1 | 2 |\n\n~~old~~ see https://www.iom.int/\n');
    const $ = load(html);
    expect(
      $('table td')
        .map((_, el) => $(el).text())
        .get(),
    ).toEqual(['1', '2']);
    expect($('del').text()).toBe('old');
    expect($('a').attr('href')).toBe('https://www.iom.int/');
  });

  it('starts the first paragraph with the dateline', () => {
    expect(render('Text.\n\nMore.', { dateline: 'BEIJING' })).toBe(
      '<p><strong>BEIJING</strong> – Text.</p>\n<p>More.</p>\n',
    );
    expect(render('## Heading\n\nText.', { dateline: 'GENEVA' })).toContain('<p><strong>GENEVA</strong> – Text.</p>');
  });

  const hostile: [string, string][] = [
    ['script tag', '<script>alert(1)</script>'],
    ['event handler', '<img src="x.png" onerror="alert(1)">'],
    ['javascript: link', '[click](javascript:alert(1))'],
    ['uppercase JAVASCRIPT: link', '[click](JAVASCRIPT:alert(1))'],
    ['entity-encoded javascript: link', '[click](&#106;avascript:alert(1))'],
    ['vbscript: link', '[click](vbscript:msgbox(1))'],
    ['data:text/html link', '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['iframe', '<iframe src="https://evil.example/"></iframe>'],
    ['object', '<object data="x.swf"></object>'],
    ['form', '<form action="https://evil.example/"><input name="q"></form>'],
    ['base', '<base href="https://evil.example/">'],
    ['meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.example/">'],
    ['style attribute', '<p style="background:url(javascript:alert(1))">x</p>'],
    ['svg onload', '<svg onload="alert(1)"></svg>'],
    ['image with javascript: src', '![x](javascript:alert(1))'],
  ];

  it.each(hostile)('drops %s', (_name, markdown) => {
    const $ = load(render(`Before\n\n${markdown}\n\nAfter`));
    expect($('script, iframe, object, embed, form, input, base, meta, svg, style').length).toBe(0);
    $('*').each((_, el) => {
      for (const [attr, value] of Object.entries((el as { attribs?: Record<string, string> }).attribs ?? {})) {
        expect(attr).not.toMatch(/^on/i);
        expect(attr).not.toBe('style');
        expect(value).not.toMatch(/^\s*(javascript|vbscript|data):/i);
      }
    });
    expect($.text()).toContain('After');
  });

  it('keeps template syntax as literal text', () => {
    const html = render('{{ 7*7 }} and {% raw %} and {{ range.constructor("return process")() }}');
    expect(html).toContain('{{ 7*7 }}');
    expect(html).not.toContain('49');
  });
});

describe('footnotes', () => {
  it('link to their notes and back (ids are prefixed once)', () => {
    const $ = load(render('Text[^1].\n\n[^1]: Note.\n'));
    const ref = $('a[data-footnote-ref]');
    const target = ref.attr('href')?.slice(1) ?? '';
    expect(target).toMatch(/^user-content-/);
    expect($(`[id="${target}"]`).text()).toContain('Note.');
    const back = $('a[data-footnote-backref]').attr('href')?.slice(1) ?? '';
    expect($(`[id="${back}"]`).text()).toBe('1');
  });
});
