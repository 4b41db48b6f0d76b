import { QuoteType } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { decodeAttribute, rewriteLinks } from '../../../src/render/rewrite-links.js';
import { siteLinks } from '../../../src/site/links.js';

const links = siteLinks(
  'https://example.org/newsroom',
  '/newsroom',
  new Map([
    ['css/site.css', 'css/site.11111111.css'],
    ['images/a b.png', 'images/a b.22222222.png'],
    ['images/x.png', 'images/x.33333333.png'],
  ]),
);

describe('rewriteLinks', () => {
  it('prefixes site links and fingerprints assets in every URL attribute, keeping everything else', () => {
    const html = [
      '<link rel=stylesheet href=/css/site.css>',
      '<a href="/news/x/?page=2&amp;y=1#top" title="/news/x/">/news/x/</a>',
      '<img src=\'/images/a%20b.png\' srcset="/images/x.png 1x, /images/a%20b.png 2x" alt="href=/news/">',
      '<form action="/search/"></form>',
      '<a href="https://elsewhere.org/x">x</a> <a href="#main">skip</a> <a href="mailto:a@b.org">m</a>',
      '<script>const u = "/news/";</script>',
    ].join('\n');
    const result = rewriteLinks(html, '/news/x/', links);
    expect(result.html).toBe(
      [
        '<link rel=stylesheet href="/newsroom/css/site.11111111.css">',
        '<a href="/newsroom/news/x/?page=2&amp;y=1#top" title="/news/x/">/news/x/</a>',
        '<img src="/newsroom/images/a%20b.22222222.png" srcset="/newsroom/images/x.33333333.png 1x, /newsroom/images/a%20b.22222222.png 2x" alt="href=/news/">',
        '<form action="/newsroom/search/"></form>',
        '<a href="https://elsewhere.org/x">x</a> <a href="#main">skip</a> <a href="mailto:a@b.org">m</a>',
        '<script>const u = "/news/";</script>',
      ].join('\n'),
    );
    expect([...result.assets].sort()).toEqual(['css/site.css', 'images/a b.png', 'images/x.png']);
  });

  it('fingerprints relative and absolute references to assets, and leaves other relative links alone', () => {
    const html =
      '<img src="../../images/x.png"><a href="other/">o</a><img src="https://example.org/newsroom/images/x.png">';
    const result = rewriteLinks(html, '/news/x/', links);
    expect(result.html).toBe(
      '<img src="/newsroom/images/x.33333333.png"><a href="other/">o</a><img src="https://example.org/newsroom/images/x.33333333.png">',
    );
  });

  it('changes nothing when there is no prefix and no fingerprint', () => {
    const html = '<a href="/news/">n</a>';
    expect(rewriteLinks(html, '/', siteLinks('https://example.org', '', new Map())).html).toBe(html);
  });

  it('reads character references in URL attributes, and only there', () => {
    const html =
      '<a href="&#x2F;css&#47;site.css" title="&amp;">&lt;a href="/x/"&gt;</a><img src=/images/x&period;png alt=\'&quot;\'>';
    expect(rewriteLinks(html, '/', links).html).toBe(
      '<a href="/newsroom/css/site.11111111.css" title="&amp;">&lt;a href="/x/"&gt;</a><img src="/newsroom/images/x.33333333.png" alt=\'&quot;\'>',
    );
  });
});

describe('decodeAttribute', () => {
  it('decodes as HTML does inside an attribute value, legacy references included', () => {
    expect(decodeAttribute('/a?b=1&amp;c=2', QuoteType.Double)).toBe('/a?b=1&c=2');
    expect(decodeAttribute('&amp=&ampx &amp; &#47', QuoteType.Single)).toBe('&amp=&ampx & /');
    expect(decodeAttribute('x&lt;y', QuoteType.Unquoted)).toBe('x<y');
    expect(decodeAttribute('plain', QuoteType.Double)).toBe('plain');
  });
});
