import { QuoteType, Tokenizer, type TokenizerCallbacks } from 'htmlparser2';
import type { SiteLinks } from '../site/links.js';

/** Attributes that hold one URL. */
const URL_ATTRIBUTES = new Set(['href', 'src', 'poster', 'action', 'formaction', 'cite', 'data']);
/** Attributes that hold a list of `URL width` candidates. */
const SRCSET_ATTRIBUTES = new Set(['srcset', 'imagesrcset']);

const escapeAttribute = (value: string): string => value.replaceAll('&', '&amp;').replaceAll('"', '&quot;');

/** A page's HTML with its links rewritten, and the public/ files it refers to. */
export interface RewrittenPage {
  readonly html: string;
  /** Output paths of the fingerprinted public/ files the page refers to. */
  readonly assets: readonly string[];
}

/**
 * Rewrites the site links of a rendered page for where it is served: the base path before every site-relative URL
 * (`/news/x/` -> `/newsroom/news/x/`) and fingerprinted names for assets, in every attribute that holds a URL, from
 * templates and Markdown alike. Relative URLs that name an asset become site-relative too. Parsed with htmlparser2,
 * so only real attributes change (never text that looks like one); everything else is kept byte for byte.
 */
export function rewriteLinks(html: string, pageUrl: string, links: SiteLinks): RewrittenPage {
  if (links.identity) return { html, assets: [] };
  const assets = new Set<string>();
  const page = new URL(pageUrl, 'http://site.invalid');
  const rewrite = (url: string): string => {
    const trimmed = url.trim();
    if (trimmed.startsWith('/') && !trimmed.startsWith('//')) {
      const asset = links.asset(trimmed);
      if (asset) assets.add(asset);
      return links.href(trimmed);
    }
    if (trimmed.startsWith(`${links.baseUrl}/`)) {
      const local = trimmed.slice(links.baseUrl.length);
      const asset = links.asset(local);
      if (!asset) return url;
      assets.add(asset);
      return links.absolute(local);
    }
    // A relative URL (`../images/x.png`) keeps working under any prefix; rewrite it only when it names an asset.
    if (trimmed === '' || /^[a-z][a-z0-9+.-]*:|^[#?]/i.test(trimmed)) return url;
    const resolved = new URL(trimmed, page);
    if (resolved.origin !== page.origin) return url;
    const local = `${resolved.pathname}${resolved.search}${resolved.hash}`;
    const asset = links.asset(local);
    if (!asset) return url;
    assets.add(asset);
    return links.href(local);
  };
  return { html: rewriteUrlAttributes(html, rewrite), assets: [...assets] };
}

const noop = () => undefined;

/** The tokenizer's callbacks for what the link pass does not look at. */
const IGNORED: TokenizerCallbacks = {
  onattribdata: noop,
  onattribentity: noop,
  onattribend: noop,
  onattribname: noop,
  oncdata: noop,
  onclosetag: noop,
  oncomment: noop,
  ondeclaration: noop,
  onend: noop,
  onopentagend: noop,
  onopentagname: noop,
  onprocessinginstruction: noop,
  onselfclosingtag: noop,
  ontext: noop,
  ontextentity: noop,
};

/**
 * An attribute value as written (`raw`, between its quotes), with its character references decoded. Decoded by the
 * tokenizer itself, given the value alone in the same quotes: the same decoder in the same attribute mode, so
 * `&amp;`, `&amp` and `&ampx` come out exactly as they would have in place.
 */
export function decodeAttribute(raw: string, quote: QuoteType): string {
  if (!raw.includes('&')) return raw;
  const mark = quote === QuoteType.Double ? '"' : quote === QuoteType.Single ? "'" : '';
  const snippet = `<a x=${mark}${raw}${mark}>`;
  let value = '';
  const tokenizer = new Tokenizer(
    { decodeEntities: true },
    {
      ...IGNORED,
      onattribdata(start, endIndex) {
        value += snippet.slice(start, endIndex);
      },
      onattribentity(codepoint) {
        value += String.fromCodePoint(codepoint);
      },
    },
  );
  tokenizer.write(snippet);
  tokenizer.end();
  return value;
}

/**
 * `html` with every URL in an attribute that holds one (or a `srcset` list of them) replaced by `rewrite(url)`.
 * Parsed with htmlparser2, so only real attributes change (never text that looks like one); everything else is kept
 * byte for byte, and a changed value is written double-quoted and escaped.
 */
export function rewriteUrlAttributes(html: string, rewrite: (url: string) => string): string {
  const edits: { start: number; end: number; text: string }[] = [];
  // htmlparser2's tokenizer alone (its parser builds every element and attribute, which this pass never uses): it
  // knows raw-text elements (script, style), comments and quoting, and gives each attribute's span and value.
  // Character references are left alone while scanning (the tokenizer then skips text to the next `<` instead of
  // stepping through it for `&`), and decoded only in the values of URL attributes: a third less time a page.
  let nameStart = 0;
  let name = '';
  let written = '';
  const tokenizer = new Tokenizer(
    { decodeEntities: false },
    {
      ...IGNORED,
      onattribname(start, endIndex) {
        nameStart = start;
        name = html.slice(start, endIndex).toLowerCase();
        written = '';
      },
      onattribdata(start, endIndex) {
        written += html.slice(start, endIndex);
      },
      onattribend(quote, endIndex) {
        if (quote === QuoteType.NoValue) return;
        const isList = SRCSET_ATTRIBUTES.has(name);
        if (!isList && !URL_ATTRIBUTES.has(name)) return;
        const value = decodeAttribute(written, quote);
        const next = isList
          ? value
              .split(',')
              .map((candidate) => {
                const [url = '', ...descriptor] = candidate.trim().split(/\s+/);
                return [rewrite(url), ...descriptor].join(' ');
              })
              .join(', ')
          : rewrite(value);
        if (next === value) return;
        // nameStart..endIndex spans `name=value` as written; replace the value with its quotes.
        const raw = html.slice(nameStart, endIndex);
        const equals = raw.indexOf('=');
        if (equals === -1) return;
        const afterEquals = raw.slice(equals + 1);
        const valueStart =
          quote === QuoteType.Unquoted
            ? equals + 1 + (afterEquals.length - afterEquals.trimStart().length)
            : raw.indexOf(quote === QuoteType.Double ? '"' : "'", equals);
        edits.push({ start: nameStart + valueStart, end: endIndex, text: `"${escapeAttribute(next)}"` });
      },
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  if (edits.length === 0) return html;
  // Joined, not concatenated: `+=` makes a rope of slices that keeps the original page alive beside the new one
  // until it is written (about 40 KB more per page held, half a gigabyte at 10,000 releases).
  const parts: string[] = [];
  let at = 0;
  for (const edit of edits) {
    parts.push(html.slice(at, edit.start), edit.text);
    at = edit.end;
  }
  parts.push(html.slice(at));
  return parts.join('');
}
