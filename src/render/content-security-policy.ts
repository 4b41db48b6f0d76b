/**
 * The Content-Security-Policy of every built page, directive by directive. Scripts run only from the site's own
 * files (`/js/site.js`, `/js/search.js`, Pagefind's loader): no inline script, no `eval`, no event handler
 * attribute, so a payload that got past the Markdown sanitizer and the templates' escaping still could not run.
 * Pagefind compiles its WebAssembly (`'wasm-unsafe-eval'`, which allows WebAssembly and nothing else) and fetches
 * its index from the site. Release images may be `https://` URLs; styles and fonts are the site's own files (no
 * inline styles: templates and sanitized Markdown write no `style` attribute). No plugins, no `<base>`, and forms
 * (the search form) submit only to the site.
 */
const DIRECTIVES: readonly (readonly [directive: string, sources: string])[] = [
  ['default-src', "'self'"],
  ['script-src', "'self' 'wasm-unsafe-eval'"],
  ['style-src', "'self'"],
  ['img-src', "'self' https:"],
  ['font-src', "'self'"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'self'"],
];

/** The policy as a page's `<meta http-equiv="Content-Security-Policy">` carries it (a meta tag cannot say `frame-ancestors`). */
export const PAGE_POLICY = DIRECTIVES.map(([directive, sources]) => `${directive} ${sources}`).join('; ');

/** The policy as `_headers` sends it with every file: the page policy, and only the site itself may frame a page. */
export const HEADER_POLICY = `${PAGE_POLICY}; frame-ancestors 'self'`;
