import { compareText } from './compare.js';

/** A problem found in the site's sources, with the place it comes from. */
export interface Diagnostic {
  /** Path relative to the site root, with forward slashes. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** What is wrong and how to fix it. */
  readonly message: string;
  /** Stable rule id, e.g. `front-matter/date`. */
  readonly rule: string;
  /** Errors fail the build; warnings are printed and the build goes on. */
  readonly severity: 'error' | 'warning';
}

/** A place in a file. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Builds an error diagnostic. */
export function error(file: string, at: Position, rule: string, message: string): Diagnostic {
  return { file, line: at.line, column: at.column, rule, message, severity: 'error' };
}

/** Builds a warning diagnostic. */
export function warning(file: string, at: Position, rule: string, message: string): Diagnostic {
  return { file, line: at.line, column: at.column, rule, message, severity: 'warning' };
}

/** The start of a file. */
export const START: Position = { line: 1, column: 1 };

/** Formats a diagnostic as `path:line:column: message [rule]` (warnings say so after the place). */
export function formatDiagnostic(d: Diagnostic): string {
  const kind = d.severity === 'warning' ? 'warning: ' : '';
  return `${d.file}:${d.line}:${d.column}: ${kind}${d.message} [${d.rule}]`;
}

/** Sorts diagnostics by file, then line, then column, so output is stable. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      compareText(a.file, b.file) || a.line - b.line || a.column - b.column || compareText(a.message, b.message),
  );
}

/** True when any diagnostic is an error. */
export function hasErrors(list: readonly Diagnostic[]): boolean {
  return list.some((d) => d.severity === 'error');
}

/** Where the CLI and the dev server write, a line at a time; injectable so tests can capture it. */
export interface Streams {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}
