import { describe, expect, it } from 'vitest';
import { splitFrontMatter } from '../../../src/content/front-matter.js';

const split = (text: string) => splitFrontMatter({ path: 'content/news/x.md', text });

describe('splitFrontMatter', () => {
  it('parses YAML and keeps the body and its first line', () => {
    const { split: result, diagnostics } = split('---\ntitle: Hello\ndate: 2020-01-02\n---\n\nBody text\n');
    expect(diagnostics).toEqual([]);
    expect(result?.data.value).toEqual({ title: 'Hello', date: '2020-01-02' });
    expect(result?.body).toBe('\nBody text\n');
    expect(result?.bodyLine).toBe(5);
  });

  it('locates keys, nested keys and list items on their file lines', () => {
    const { split: result } = split('---\ntitle: a\ncontacts:\n  - name: A\n    email: bad\n---\n');
    expect(result?.data.locate(['title'])).toEqual({ line: 2, column: 1 });
    expect(result?.data.locate(['contacts', 0, 'email'])).toEqual({ line: 5, column: 5 });
    expect(result?.data.locate(['missing'])).toEqual({ line: 1, column: 1 });
  });

  it('accepts a byte-order mark and CRLF line endings', () => {
    const { split: result, diagnostics } = split('\uFEFF---\r\ntitle: a\r\n---\r\nbody');
    expect(diagnostics).toEqual([]);
    expect(result?.data.value).toEqual({ title: 'a' });
  });

  it.each(['js', 'javascript', ' JS ', 'coffee'])('refuses ---%s front matter without running it', (lang) => {
    const g = globalThis as { pwned?: boolean };
    const { split: result, diagnostics } = split(`---${lang}\n{ title: (globalThis.pwned = true) }\n---\nbody`);
    expect(result).toBeUndefined();
    expect(g.pwned).toBeUndefined();
    expect(diagnostics.map((d) => d.rule)).toEqual(['front-matter/language']);
    expect(diagnostics[0]?.message).toMatch(/must be YAML/);
  });

  it('reports front matter that is never closed instead of swallowing the body', () => {
    const { diagnostics } = split('---\ntitle: a\nbody: text that looks like YAML\n');
    expect(diagnostics.map((d) => [d.line, d.rule])).toEqual([[1, 'front-matter/unclosed']]);
  });

  it('reports a file without front matter', () => {
    expect(split('Just text').diagnostics.map((d) => d.rule)).toEqual(['front-matter/missing']);
  });

  it('reports YAML syntax errors and duplicate keys on their lines', () => {
    const dup = split('---\ntitle: a\ndate: 2020-01-01\ntitle: b\n---\n');
    expect(dup.diagnostics.map((d) => [d.line, d.rule])).toEqual([[4, 'yaml/duplicate_key']]);
    const bad = split('---\ntitle: a\nthemes: [one\n---\n');
    expect(bad.diagnostics[0]?.rule).toMatch(/^yaml\//);
    expect(bad.diagnostics[0]?.line).toBeGreaterThanOrEqual(3);
  });

  it('refuses YAML tags such as !!js/function', () => {
    const { split: result, diagnostics } = split('---\ntitle: !!js/function "function () { return 1 }"\n---\n');
    expect(result).toBeUndefined();
    expect(diagnostics.map((d) => [d.line, d.rule])).toEqual([[2, 'yaml/tag_resolve_failed']]);
  });

  it('stops a billion-laughs alias bomb quickly with a diagnostic', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const started = Date.now();
    const { diagnostics } = split(`---\n${levels.join('\n')}\n---\n`);
    expect(diagnostics.map((d) => d.rule)).toEqual(['yaml/aliases']);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('keeps __proto__ keys as data without polluting prototypes', () => {
    const { split: result } = split('---\n__proto__:\n  polluted: true\ntitle: a\n---\n');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(result?.data.value as object)).toContain('__proto__');
  });
});
