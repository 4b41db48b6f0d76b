import { nestingError } from '../content/limits.js';
import { type Diagnostic, error } from '../diagnostics.js';
import { deepLine } from './nesting-depth.js';

/**
 * Runs a Markdown render of `body` (which starts on line `bodyLine` of `source`), first refusing quotes and lists
 * nested deeper than `nesting` levels, and turning a crash on pathological input into a diagnostic instead of a
 * stack trace.
 */
export function renderBody(
  source: string,
  bodyLine: number,
  body: string,
  nesting: number,
  render: () => string,
): { html: string | undefined; diagnostics: Diagnostic[] } {
  const deep = deepLine(body, nesting);
  if (deep) {
    return {
      html: undefined,
      diagnostics: [nestingError(source, { line: bodyLine + deep.line, column: 1 }, 'Markdown', nesting)],
    };
  }
  try {
    return { html: render(), diagnostics: [] };
  } catch (cause) {
    const message =
      cause instanceof RangeError
        ? 'the Markdown is nested too deeply to render (quotes or lists inside each other): flatten it'
        : `the Markdown could not be rendered: ${cause instanceof Error ? cause.message : String(cause)}`;
    return { html: undefined, diagnostics: [error(source, { line: bodyLine, column: 1 }, 'markdown/render', message)] };
  }
}
