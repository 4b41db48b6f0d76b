import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/content/limits.js';
import { type LoadContext, loadRelease } from '../../../src/content/release.js';
import { loadNavigation, loadSiteConfig } from '../../../src/content/site-data.js';
import { loadTranslations } from '../../../src/content/translations.js';
import type { Diagnostic } from '../../../src/diagnostics.js';
import { createMarkdownProcessor } from '../../../src/markdown/processor.js';
import { SITE_YAML, TRANSLATIONS_YAML } from '../../helpers/site.js';

/**
 * Hostile front matter and data files, through the real loaders: each gives a diagnostic with a place quickly, or
 * is ignored (with a warning), and nothing reaches Object.prototype or Array.prototype.
 */

const context: LoadContext = {
  defaultLanguage: 'en',
  languages: ['en'],
  baseUrl: 'https://news.example.org',
  renderMarkdown: createMarkdownProcessor(),
  assets: new Set(),
  limits: { ...DEFAULT_LIMITS, fileSize: 50_000_000, frontMatter: 50_000_000 },
};
const HEAD = 'title: T\ndate: 2020-01-02\n';
const FILE = 'content/news/attack.md';

/** Loads a release whose front matter is `yaml`, timing the whole load. */
function load(yaml: string, limits = context.limits) {
  const started = performance.now();
  const { release, diagnostics } = loadRelease(
    { path: FILE, text: `---\n${yaml}\n---\n\nBody.\n` },
    { ...context, limits },
  );
  return { release, diagnostics, ms: performance.now() - started };
}
const where = (list: readonly Diagnostic[]) => list.map((d) => `${d.line}:${d.column} ${d.rule}`);

/** A billion-laughs document: 9 levels of 9 aliases of the level below. */
function billionLaughs(): string {
  const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 9; i++) {
    const name = String.fromCharCode(97 + i);
    levels.push(
      `${name}: &${name} [${Array(9)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(', ')}]`,
    );
  }
  return levels.join('\n');
}

const objectKeys = Object.getOwnPropertyNames(Object.prototype).sort();
const arrayKeys = Object.getOwnPropertyNames(Array.prototype).sort();
afterEach(() => {
  // Nothing polluted: the prototypes have their own keys only, and a new object has none.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(objectKeys);
  expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(arrayKeys);
  const fresh: Record<string, unknown> = {};
  expect(Object.keys(fresh)).toEqual([]);
  for (const key of ['polluted', 'isAdmin', 'toString2']) {
    expect(fresh[key]).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>)[key]).toBeUndefined();
  }
});

describe('hostile front matter', () => {
  it.each([
    ['a billion-laughs alias bomb', `${HEAD}${billionLaughs()}`, [/^12:\d+ yaml\/aliases$/]],
    [
      'many aliases of one big value (quadratic)',
      `${HEAD}big: &big [${Array(2_500).fill('xxxxxxxxxx').join(', ')}]\nrefs: [${Array(99).fill('*big').join(', ')}]`,
      [/^5:\d+ yaml\/aliases$/],
    ],
    ['an alias inside the value it names', `${HEAD}themes: &t [a, *t]`, ['4:16 yaml/aliases']],
    ['10,000 levels of [ ', `${HEAD}deep: ${'['.repeat(10_000)}${']'.repeat(10_000)}`, [/^4:\d+ limits\/nesting$/]],
    ['200 levels of [ ', `${HEAD}deep: ${'['.repeat(200)}${']'.repeat(200)}`, ['4:107 limits/nesting']],
    [
      '200 levels of block maps',
      `${HEAD}${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} v`,
      ['105:102 limits/nesting'],
    ],
    [
      // The parser itself runs out of stack at about 900 levels: that too is reported as nesting.
      '2,000 levels of block maps',
      `${HEAD}${Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} v`,
      [/^\d+:\d+ limits\/nesting$/],
    ],
    [
      'nesting made deep by aliases',
      `${HEAD}a: &a ${'['.repeat(60)}${']'.repeat(60)}\nb: ${'['.repeat(60)}*a${']'.repeat(60)}`,
      ['5:64 limits/nesting'],
    ],
    ['a 10 MB key', `${HEAD}${'k'.repeat(10_000_000)}: 1`, ['4:1 yaml/key_over_1024_chars']],
    ['a duplicate key', `${HEAD}title: Again`, ['4:1 yaml/duplicate_key']],
    ['a list as a key', `${HEAD}? [a, b]\n: c`, ['4:3 yaml/complex-key']],
    ['a map as a key', `${HEAD}{a: 1}: c`, ['4:1 yaml/complex-key']],
    ['an alias of a list as a key', `${HEAD}l: &l [a]\n*l : c`, ['5:1 yaml/complex-key']],
    [
      '!!js/function',
      `${HEAD}summary: !!js/function "function () { globalThis.polluted = 1 }"`,
      ['4:10 yaml/tag_resolve_failed'],
    ],
    ['!!js/regexp', `${HEAD}summary: !!js/regexp /a/g`, ['4:10 yaml/tag_resolve_failed']],
    ['!!js/undefined', `${HEAD}summary: !!js/undefined ''`, ['4:10 yaml/tag_resolve_failed']],
    ['!!python/object', `${HEAD}summary: !!python/object/apply:os.system [id]`, ['4:10 yaml/tag_resolve_failed']],
    ['a custom !tag', `${HEAD}summary: !include /etc/passwd`, ['4:10 yaml/tag_resolve_failed']],
    ['!!binary where text is expected', `${HEAD}summary: !!binary aGVsbG8=`, ['4:1 front-matter/summary']],
  ])('%s: a diagnostic with its place, in under a second', (_name, yaml, expected) => {
    // The default limits, except for the 10 MB key (refused by size otherwise, see below).
    const { release, diagnostics, ms } = load(yaml, yaml.length > 1_000_000 ? context.limits : DEFAULT_LIMITS);
    expect(release).toBeUndefined();
    const found = where(diagnostics);
    expect(found).toHaveLength(expected.length);
    expected.forEach((want, i) => {
      if (typeof want === 'string') expect(found[i]).toBe(want);
      else expect(found[i]).toMatch(want);
    });
    expect(diagnostics.every((d) => d.message.length > 10 && !d.message.includes('    at '))).toBe(true);
    expect(ms).toBeLessThan(1_000);
  });

  it('a list as a key gives its diagnostic, not a process warning that names no file', async () => {
    const warnings: string[] = [];
    const listen = (warning: Error) => warnings.push(warning.message);
    process.on('warning', listen);
    try {
      expect(where(load(`${HEAD}? [a, b]\n: c`, DEFAULT_LIMITS).diagnostics)).toEqual(['4:3 yaml/complex-key']);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('warning', listen);
    }
    expect(warnings).toEqual([]);
  });

  it('a 10 MB value: over the default size limits it is refused from its size, under raised ones it loads', () => {
    const yaml = `${HEAD}summary: ${'x'.repeat(10_000_000)}`;
    const refused = load(yaml, DEFAULT_LIMITS);
    expect(where(refused.diagnostics)).toEqual(['1:1 limits/front-matter']);
    expect(refused.ms).toBeLessThan(1_000);
    const accepted = load(yaml);
    expect(accepted.release?.summary).toHaveLength(10_000_000);
    expect(accepted.ms).toBeLessThan(1_000);
  });

  it('prototype keys at the top and nested (contacts, image) are ignored with a warning, and pollute nothing', () => {
    const yaml = [
      HEAD.trim(),
      '__proto__:\n  polluted: true',
      'constructor:\n  prototype:\n    polluted: true',
      'prototype:\n  isAdmin: true',
      'contacts:',
      '  - name: A',
      '    __proto__: { polluted: true }',
      '    constructor: { prototype: { polluted: true } }',
      'image:',
      '  src: https://example.org/a.jpg',
      '  alt: A photo',
      '  __proto__: { polluted: true }',
      'themes:\n  - __proto__',
    ].join('\n');
    const { release, diagnostics, ms } = load(yaml);
    expect(ms).toBeLessThan(1_000);
    expect(release?.contacts).toEqual([
      { name: 'A', office: undefined, phone: undefined, tel: undefined, email: undefined },
    ]);
    expect(Object.keys(release?.image ?? {}).sort()).toEqual(['alt', 'src']);
    expect(release?.themes).toEqual(['__proto__']);
    expect(diagnostics.every((d) => d.severity === 'warning')).toBe(true);
    expect(where(diagnostics)).toEqual([
      '4:1 front-matter/unknown-key',
      '6:1 front-matter/unknown-key',
      '13:5 front-matter/unknown-key',
      '14:5 front-matter/unknown-key',
      '18:3 front-matter/unknown-key',
      '9:1 front-matter/unknown-key',
    ]);
    expect(diagnostics.map((d) => d.message)).toContain('unknown key `constructor` is ignored');
  });

  it('merge keys are ignored with a warning saying so, not merged', () => {
    const { release, diagnostics } = load(`base: &b { title: Merged, date: 2020-01-02 }\n<<: *b`);
    expect(release).toBeUndefined();
    expect(diagnostics.map((d) => d.message)).toContain(
      'merge keys (`<<: *name`) are not supported and are ignored: write the keys out',
    );
    expect(diagnostics.map((d) => d.rule)).toContain('front-matter/title');
  });
});

describe('hostile data files', () => {
  const timed = <T>(run: () => T): T => {
    const started = performance.now();
    const result = run();
    expect(performance.now() - started).toBeLessThan(1_000);
    return result;
  };
  const attacks = {
    bomb: billionLaughs(),
    deep: `deep: ${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    tag: 'x: !!js/function "function () {}"',
    proto: '__proto__:\n  polluted: true\nconstructor:\n  prototype:\n    polluted: true',
  };

  it.each(Object.entries(attacks))('site.yaml with %s: a diagnostic with its place', (name, yaml) => {
    const { config, diagnostics } = timed(() =>
      loadSiteConfig({ path: 'content/_data/site.yaml', text: `${SITE_YAML}${yaml}\n` }, undefined),
    );
    const rules = diagnostics.map((d) => d.rule);
    if (name === 'proto') {
      expect(config?.title).toBe('Test Newsroom');
      expect(rules).toEqual(['site/unknown-key', 'site/unknown-key']);
    } else {
      expect(config).toBeUndefined();
      expect(rules).toHaveLength(1);
      expect(diagnostics[0]?.line).toBeGreaterThan(6);
    }
  });

  it('navigation.yaml: a cycle of children through an alias, 10,000 levels, a tag: diagnostics, not a crash', () => {
    const file = 'content/_data/navigation.yaml';
    const cycle = timed(() =>
      loadNavigation({ path: file, text: 'items: &items\n  - label: A\n    url: /\n    children: *items\n' }),
    );
    expect(where(cycle.diagnostics)).toEqual(['4:15 yaml/aliases']);
    const deep = timed(() =>
      loadNavigation({
        path: file,
        text: `items:\n${Array.from({ length: 300 }, (_, i) => `${'  '.repeat(2 * i)}  - label: L\n${'  '.repeat(2 * i)}    url: /\n${'  '.repeat(2 * i)}    children:`).join('\n')} []\n`,
      }),
    );
    expect(deep.diagnostics.map((d) => d.rule)).toEqual(['limits/nesting']);
    const flow = timed(() => loadNavigation({ path: file, text: `items: ${'['.repeat(10_000)}${']'.repeat(10_000)}` }));
    expect(flow.diagnostics.map((d) => d.rule)).toEqual(['limits/nesting']);
    const tag = timed(() => loadNavigation({ path: file, text: 'items:\n  - label: !!js/function "x"\n    url: /\n' }));
    expect(where(tag.diagnostics)).toEqual(['2:12 yaml/tag_resolve_failed']);
  });

  it('translations.yaml: a bomb and prototype keys', () => {
    const file = 'content/_data/translations.yaml';
    const bomb = timed(() =>
      loadTranslations({ path: file, text: `${TRANSLATIONS_YAML}${billionLaughs()}\n` }, ['en']),
    );
    expect(bomb.translations).toBeUndefined();
    expect(bomb.diagnostics.map((d) => d.rule)).toEqual(['yaml/aliases']);
    const proto = timed(() =>
      loadTranslations({ path: file, text: `${TRANSLATIONS_YAML}__proto__:\n  polluted: true\n` }, ['en']),
    );
    expect(proto.translations).toBeDefined();
    expect(proto.diagnostics.map((d) => [d.rule, d.severity])).toEqual([['translations/unknown-key', 'warning']]);
  });
});
