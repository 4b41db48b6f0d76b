import { type Diagnostic, error } from '../diagnostics.js';

/** Runs a Markdown render, turning a crash on pathological input into a diagnostic instead of a stack trace. */
export function renderBody(
  source: string,
  bodyLine: number,
  render: () => string,
): { html: string | undefined; diagnostics: Diagnostic[] } {
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
