import path from 'node:path';
import { type Diagnostic, error, START } from '../diagnostics.js';

const PLACE = /\(([^()\n]+)\)(?: \[Line (\d+), Column (\d+)\])?/g;

/**
 * Turns a Nunjucks error into a diagnostic on the innermost template and line it names.
 * Nunjucks numbers parse errors from 1 but runtime errors (`Error: ...`, `TypeError: ...`) from 0; both are fixed up.
 */
export function templateDiagnostic(cause: unknown, root: string, fallbackTemplate: string): Diagnostic {
  const raw = cause instanceof Error ? cause.message : String(cause);
  const places = [...raw.matchAll(PLACE)];
  const innermost = places.at(-1);
  const lines = raw.split('\n').map((l) => l.trim());
  const message = (lines.at(-1) ?? raw).trim();
  const runtime = /^[A-Za-z]*Error: /.test(message);
  const fileName = innermost?.[1] ?? fallbackTemplate;
  const file = path.isAbsolute(fileName) ? path.relative(root, fileName).split(path.sep).join('/') : fileName;
  const shift = runtime ? 1 : 0;
  const at =
    innermost?.[2] !== undefined ? { line: Number(innermost[2]) + shift, column: Number(innermost[3]) + shift } : START;
  return error(file, at, 'template/render', `${message.replace(/^Error: /, '')} (fix the template)`);
}
