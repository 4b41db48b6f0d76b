import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { load } from 'cheerio';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { build } from '../../src/build.js';
import { fuzzParameters } from '../helpers/fuzz.js';
import { hostileFile, hostileRelease, scriptIn } from '../helpers/hostile-text.js';
import { makeSite, release } from '../helpers/site.js';

/**
 * Whole builds of sites with a few hostile files beside a valid one: never a throw; either the site is written or
 * every error has a file and a line; and no page, listing or feed gets a script, event handler or javascript: URL
 * from content, checked with a real parser (a payload shown as text is fine: it is escaped): a script has a src
 * on the site, is JSON-LD that parses (so nothing broke out of it), or is inline code without the payloads' `alert`. 5 builds in `npm test`, NEWSROOM_FUZZ_RUNS / 2 in `npm run fuzz`.
 */

const NOW = new Date('2026-01-01T00:00:00Z');

/** Every file under `dir`, root-relative. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

let builds = 0;
let written = 0;

describe('building any site', () => {
  it('never throws, reports with a place, and lets no script from content through', async () => {
    const root = await makeSite({ 'content/news/valid.md': release() });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ weight: 3, arbitrary: hostileRelease }, hostileFile), { minLength: 1, maxLength: 3 }),
        async (texts) => {
          builds++;
          const news = path.join(root, 'content', 'news');
          for (const name of await readdir(news)) if (name !== 'valid.md') await rm(path.join(news, name));
          await Promise.all(texts.map((text, i) => writeFile(path.join(news, `fuzzed-${i}.md`), text)));
          const out = path.join(root, 'dist');
          await rm(out, { recursive: true, force: true });
          const result = await build({ root, out, includeDrafts: true, now: NOW, write: true, search: false });
          for (const d of result.diagnostics) {
            expect(d.file).toMatch(/^content\//);
            expect(d.line).toBeGreaterThanOrEqual(1);
            expect(d.column).toBeGreaterThanOrEqual(1);
          }
          if (!result.written) {
            expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
            return;
          }
          written++;
          for (const file of await filesUnder(out)) {
            if (!file.endsWith('.html')) continue;
            const text = await readFile(path.join(out, file), 'utf8');
            // The templates' own script, meta and search form elements; the scripts are checked below.
            const own = (found: string) => ['<script>', '<meta>', '<form>'].includes(found);
            expect(
              scriptIn(text).filter((found) => !own(found)),
              file,
            ).toEqual([]);
            const $ = load(text);
            $('script').each((_, el) => {
              const script = $(el);
              const src = script.attr('src');
              if (src !== undefined) expect(src, file).toMatch(/^\/[\w./-]+$/);
              else if (script.attr('type') === 'application/ld+json') JSON.parse(script.text());
              else expect(script.text(), file).not.toMatch(/alert/);
            });
          }
        },
      ),
      fuzzParameters(5, 0.5),
    );
    console.log(`build property: ${builds} builds, ${written} written`);
  }, 600_000);
});
