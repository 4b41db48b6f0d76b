import { type CheerioAPI, load } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';

/**
 * The elements Newsroom's templates and its Markdown sanitizer write: anything else in a page (iframe, object,
 * embed, base, svg, math, style, frameset, xml, isindex ...) came from content.
 */
const ELEMENTS = new Set(
  `html head meta title link script body a abbr b blockquote br button caption code dd del details div dl dt em
  fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr i img input ins kbd label legend li main mark
  nav noscript ol option p picture pre q rp rt ruby s samp section select small source span strike strong sub
  summary sup table tbody td tfoot th thead time tr tt ul var article`.split(/\s+/),
);

/** Attributes that hold a URL (or a list of them), in any namespace a payload might try. */
const URL_ATTRIBUTES = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'xlink:href',
  'poster',
  'background',
  'dynsrc',
  'lowsrc',
  'data',
  'codebase',
  'cite',
  'longdesc',
  'usemap',
  'ping',
  'manifest',
  'srcset',
  'imagesrcset',
  'folder',
  'values',
  'to',
]);

/** A URL scheme that runs code or makes a document of its own. */
const DANGEROUS_URL = /^(?:javascript|vbscript|livescript|data|mhtml|feed):/i;

/** The site's own scripts: its files under /js/ (fingerprinted or not), never inline. */
const OWN_SCRIPT = /^\/js\/[a-z]+(?:\.[0-9a-f]+)?\.js$/;

/** What a browser reads a URL attribute as: without the whitespace and control characters it skips or drops. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: browsers skip control characters in URLs
const urlOf = (value: string): string => value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');

/** Why `element` is markup no content may produce, or undefined if it is the site's own. */
function elementProblem(element: Element, $: CheerioAPI, page: 'document' | 'fragment'): string | undefined {
  const name = element.tagName.toLowerCase();
  if (!ELEMENTS.has(name)) return `<${name}>`;
  if (name === 'script') {
    const type = $(element).attr('type');
    if (page === 'document' && type === 'application/ld+json') {
      try {
        JSON.parse($(element).text());
        return undefined;
      } catch {
        return 'a JSON-LD block that is not JSON';
      }
    }
    const src = $(element).attr('src') ?? '';
    if (page === 'fragment' || !OWN_SCRIPT.test(src) || $(element).text().trim() !== '') return `<script src="${src}">`;
  }
  if (name === 'meta') {
    const equiv = ($(element).attr('http-equiv') ?? '').toLowerCase();
    if (equiv && (page === 'fragment' || equiv !== 'content-security-policy')) return `<meta http-equiv="${equiv}">`;
  }
  if (name === 'link' && page === 'fragment') return '<link>';
  if (name === 'link') {
    const rel = ($(element).attr('rel') ?? '').toLowerCase();
    const href = $(element).attr('href') ?? '';
    if (rel === 'stylesheet' && !/^\/css\/[a-z]+(?:\.[0-9a-f]+)?\.css$/.test(href))
      return `<link rel=stylesheet href="${href}">`;
    if (!['stylesheet', 'canonical', 'alternate'].includes(rel)) return `<link rel="${rel}">`;
  }
  if (name === 'form' && (page === 'fragment' || !$(element).hasClass('search'))) return '<form>';
  return undefined;
}

/**
 * Everything in an HTML document (a built page) or fragment (a feed item's content) that a payload could run from:
 * elements the site never writes, scripts other than its own files and JSON-LD, `on*` event handler attributes,
 * `style` attributes, and javascript:/vbscript:/data: (...) URLs in any attribute that holds one. Parsed with a real
 * HTML parser (cheerio, parse5 underneath), as a browser would.
 */
export function hostileMarkup(html: string, page: 'document' | 'fragment'): string[] {
  const $ = load(html, {}, page === 'document');
  const problems: string[] = [];
  const visit = (node: AnyNode): void => {
    if (node.type === 'tag' || node.type === 'script' || node.type === 'style') {
      const element = node as Element;
      const problem = elementProblem(element, $, page);
      if (problem) problems.push(problem);
      for (const [attribute, value] of Object.entries(element.attribs)) {
        const name = attribute.toLowerCase();
        if (name.startsWith('on')) problems.push(`${element.tagName} ${name}="${value}"`);
        if (name === 'style') problems.push(`${element.tagName} style="${value}"`);
        if (URL_ATTRIBUTES.has(name)) {
          for (const candidate of name.endsWith('srcset') ? value.split(',') : [value]) {
            if (DANGEROUS_URL.test(urlOf(candidate))) problems.push(`${element.tagName} ${name}="${value}"`);
          }
        }
      }
    }
    if ('children' in node) for (const child of node.children) visit(child);
  };
  for (const node of $.root().toArray()) visit(node);
  return problems;
}
