import { readFileSync } from 'node:fs';
import path from 'node:path';
import nunjucks from 'nunjucks';
import type { Diagnostic } from '../diagnostics.js';
import { PAGE_POLICY } from './content-security-policy.js';
import { templateDiagnostic } from './template-error.js';

/** Escapes JSON for a `<script type="application/ld+json">` block: `</script>` and `<!--` can never break out. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** A long-date formatter for `lang`, made once per language (English in the British day-month-year order). */
function dateFormat(lang: string): Intl.DateTimeFormat {
  let format = dateFormats.get(lang);
  if (!format) {
    const options = { dateStyle: 'long', timeZone: 'UTC' } as const;
    try {
      format = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, options);
    } catch {
      format = new Intl.DateTimeFormat('en-GB', options);
    }
    dateFormats.set(lang, format);
  }
  return format;
}

/** Days already formatted, by language then day: a site has few distinct days, and ICU formatting is slow. */
const longDates = new Map<string, Map<string, string>>();

/** Formats a YYYY-MM-DD day for readers, e.g. `15 May 2012`, in the page's language. */
export function longDate(day: string, lang: string): string {
  let days = longDates.get(lang);
  if (!days) {
    days = new Map();
    longDates.set(lang, days);
  }
  let text = days.get(day);
  if (text === undefined) {
    const [y, m, d] = day.split('-').map(Number);
    text = dateFormat(lang).format(new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)));
    days.set(day, text);
  }
  return text;
}

/**
 * Creates the Nunjucks environment once per build: templates from `templatesDir` only, autoescape on, and the
 * global `contentSecurityPolicy` for the page's meta tag.
 * Its template cache lives as long as the build, so a long-running process that builds again never renders a
 * stale layout.
 */
export function createEnvironment(templatesDir: string): nunjucks.Environment {
  const loader = new nunjucks.FileSystemLoader(templatesDir);
  const env = new nunjucks.Environment(loader, {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  env.addFilter('jsonld', (value: unknown) => new nunjucks.runtime.SafeString(jsonForScript(value)));
  env.addFilter('longdate', longDate);
  // base.njk puts it in a <meta http-equiv>: one policy for the meta tag and `_headers`.
  env.addGlobal('contentSecurityPolicy', PAGE_POLICY);
  return env;
}

/** Compiles one template ahead of rendering, giving its syntax error as a diagnostic. A missing file is not checked. */
export function compileTemplate(env: nunjucks.Environment, name: string, root: string): Diagnostic | undefined {
  try {
    env.getTemplate(name, true);
    return undefined;
  } catch (cause) {
    if (cause instanceof Error && cause.message.startsWith('template not found')) return undefined;
    const diagnostic = templateDiagnostic(cause, root, `templates/${name}`);
    // Nunjucks gives no position for a block left open at the end of the file: point at its last line.
    if (diagnostic.line === 1 && / end of file/.test(diagnostic.message)) {
      try {
        const text = readFileSync(path.resolve(root, diagnostic.file), 'utf8');
        return { ...diagnostic, line: text.trimEnd().split('\n').length };
      } catch {
        return diagnostic;
      }
    }
    return diagnostic;
  }
}
