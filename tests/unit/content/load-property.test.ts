import { setImmediate } from 'node:timers/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/content/limits.js';
import { loadSource, type SourceKind } from '../../../src/content/load-source.js';
import type { LoadContext } from '../../../src/content/release.js';
import { createMarkdownProcessor } from '../../../src/markdown/processor.js';
import { fuzzParameters } from '../../helpers/fuzz.js';
import { hostileFile, scriptIn } from '../../helpers/hostile-text.js';

/**
 * For any file (random Unicode, control characters, lone surrogates, mixed line ends, BOMs, long lines, nesting past
 * the limit, YAML-ish front matter with attack fragments), loading never throws and takes under 5 s; it gives a
 * release or page, or diagnostics with a file and a line in it; and the HTML has no script, event handler or
 * javascript: URL. 300 cases in `npm test`, NEWSROOM_FUZZ_RUNS x 50 in `npm run fuzz`.
 */

const context: LoadContext = {
  defaultLanguage: 'en',
  languages: ['en', 'fr'],
  baseUrl: 'https://news.example.org',
  renderMarkdown: createMarkdownProcessor(),
  assets: new Set(['images/x.jpg']),
  limits: DEFAULT_LIMITS,
};

let cases = 0;
const counted = { value: 0, diagnostics: 0 };

describe('loading any file', () => {
  it('checks HTML with lone surrogates as the page is written (a case npm run fuzz found)', () => {
    // Two lone low surrogates in a row made parse5 throw "Invalid code point 2162687" (seed -828307867).
    const loaded = loadSource(
      'release',
      { path: 'content/news/x.md', text: '---\ntitle: T\ndate: 2020-01-02\n---\n\udfff\udfff <b onclick=x>\n' },
      context,
    );
    expect(loaded.value?.html).toContain('\udfff\udfff');
    expect(scriptIn(loaded.value?.html ?? '')).toEqual([]);
    expect(scriptIn('<p>\udfff\udfff<img src=x onerror=alert(1)></p>')).toEqual(['img[onerror]']);
  });

  it('never throws or hangs, reports with a place, prints nothing, and lets no script through', async () => {
    // Everything an editor can cause is a diagnostic: a process warning (yaml prints some) would name no file.
    const warnings: string[] = [];
    const listen = (warning: Error) => warnings.push(warning.message);
    process.on('warning', listen);
    await fc.assert(
      fc.asyncProperty(hostileFile, fc.constantFrom<SourceKind>('release', 'release', 'page'), async (text, kind) => {
        // Let the worker answer vitest between cases: a minute of synchronous work makes vitest's RPC time out.
        await setImmediate();
        cases++;
        const file = kind === 'release' ? 'content/news/fuzzed.md' : 'content/pages/fuzzed/index.md';
        const started = performance.now();
        const result = loadSource(kind, { path: file, text }, context);
        expect(performance.now() - started).toBeLessThan(5_000);
        const lines = text.split(/\r\n|\r|\n/).length;
        for (const d of result.diagnostics) {
          expect(d.file).toBe(file);
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.line).toBeLessThanOrEqual(lines + 1);
          expect(d.column).toBeGreaterThanOrEqual(1);
          expect(d.message).not.toMatch(/\n\s+at /);
        }
        if (result.value) {
          counted.value++;
          expect(scriptIn(result.value.html)).toEqual([]);
        } else {
          counted.diagnostics++;
          expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
        }
      }),
      fuzzParameters(300, 50),
    );
    await setImmediate();
    process.off('warning', listen);
    expect(warnings).toEqual([]);
    // How far the cases got: both outcomes must be common, or the generator tests only one path.
    console.log(`load property: ${cases} cases, ${counted.value} loaded, ${counted.diagnostics} refused`);
    expect(counted.value).toBeGreaterThan(cases / 10);
    expect(counted.diagnostics).toBeGreaterThan(cases / 10);
  }, 600_000);
});
