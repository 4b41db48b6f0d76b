import nunjucks from 'nunjucks';

/** Escapes JSON for a `<script type="application/ld+json">` block: `</script>` and `<!--` can never break out. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Formats a YYYY-MM-DD day for readers, e.g. `15 May 2012`, in the page's language. */
export function longDate(day: string, lang: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const when = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1));
  let locale = lang;
  try {
    new Intl.DateTimeFormat(lang);
  } catch {
    locale = 'en';
  }
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : locale, { dateStyle: 'long', timeZone: 'UTC' }).format(
    when,
  );
}

/**
 * Creates the Nunjucks environment once per build: templates from `templatesDir` only, autoescape on.
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
  return env;
}
