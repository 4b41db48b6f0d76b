/** One rule of a `_headers` file: a URL pattern and the headers it sets. */
export interface HeaderRule {
  readonly pattern: string;
  readonly headers: [name: string, value: string][];
}

/** The `_headers` rules as Netlify and Cloudflare Pages read them: a pattern line, then indented `Name: value` lines. */
export function parseHeaders(text: string): HeaderRule[] {
  const rules: HeaderRule[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (!line.startsWith(' ')) rules.push({ pattern: line, headers: [] });
    else {
      const [name = '', ...value] = line.trim().split(':');
      rules.at(-1)?.headers.push([name.trim(), value.join(':').trim()]);
    }
  }
  return rules;
}

/** Whether a rule's pattern matches a URL: a trailing `*` matches any rest, a `:placeholder` one path segment. */
export const matches = (pattern: string, url: string): boolean => {
  const source = pattern
    .split(/(:[a-z]+|\*$)/)
    .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(url);
};

/** The headers the rules give a URL path, as the hosts send them: the values of every matching rule, joined. */
export function headersFor(rules: readonly HeaderRule[], url: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const rule of rules) {
    if (!matches(rule.pattern, url)) continue;
    for (const [name, value] of rule.headers) {
      const known = headers.get(name);
      headers.set(name, known === undefined ? value : `${known}, ${value}`);
    }
  }
  return headers;
}
