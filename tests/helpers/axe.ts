import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';

/**
 * axe-core's browser build, evaluated in the page under test through the DevTools protocol: a `<script>` element
 * (Playwright's addScriptTag) would be an inline script, which the site's Content-Security-Policy refuses.
 */
const AXE_SCRIPT = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The rules we hold every page to: WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

// The globals of the function run in the page (the project's type-check has no DOM library).
interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}
interface DomElement {
  contains(other: DomElement): boolean;
  getBoundingClientRect(): Box;
}
declare const axe: { run(context: unknown, options: RunOptions): Promise<AxeResults> } | undefined;
declare const document: { querySelector(selector: string): DomElement | null };

/** One failed axe rule and the elements that fail it. */
export interface Violation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: readonly string[];
}

/**
 * Runs axe-core on the page as it is now (injecting it once per document) and returns its WCAG A/AA violations.
 * `opened` is a selector for content the reader opened (a submenu): WCAG 2.5.8 does not apply to targets that
 * such content covers ("Understanding 2.5.8": a dropdown partially obscuring targets below), so target-size
 * failures of elements it overlaps, outside it, are not violations; its own targets are still checked.
 */
export async function axeViolations(page: Page, opened?: string): Promise<Violation[]> {
  if (await page.evaluate(() => typeof axe === 'undefined')) await page.evaluate(AXE_SCRIPT);
  return page.evaluate(
    async ({ tags, opened }) => {
      if (!axe) throw new Error('axe-core did not load');
      const results = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
      const layer = opened ? document.querySelector(opened) : null;
      if (opened && !layer) throw new Error(`no opened content matches ${opened}`);
      const covered = (selector: string): boolean => {
        const element = document.querySelector(selector);
        if (!layer || !element || layer.contains(element)) return false;
        const a = layer.getBoundingClientRect();
        const b = element.getBoundingClientRect();
        return b.left < a.right && b.right > a.left && b.top < a.bottom && b.bottom > a.top;
      };
      return results.violations
        .map((v) => ({
          id: v.id,
          impact: v.impact ?? null,
          help: v.help,
          targets: v.nodes
            .map((n) => n.target.join(' '))
            .filter((target) => !(v.id === 'target-size' && covered(target))),
        }))
        .filter((v) => v.targets.length > 0);
    },
    { tags: WCAG_TAGS, opened: opened ?? null },
  );
}

/** The violations as readable lines: where, rule, what it asks, and which elements fail. */
export function formatViolations(where: string, violations: readonly Violation[]): string {
  return violations
    .map((v) => `${where}: ${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n    ${v.targets.join('\n    ')}`)
    .join('\n');
}
