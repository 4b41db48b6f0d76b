import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/content/limits.js';
import { loadSiteConfig } from '../../../src/content/site-data.js';
import { SITE_YAML } from '../../helpers/site.js';

const site = (limits: string) =>
  loadSiteConfig({ path: 'content/_data/site.yaml', text: `${SITE_YAML}${limits}` }, undefined);

describe('site.yaml limits.markdownSeconds', () => {
  it('defaults to 30 s and takes any positive number of seconds', () => {
    expect(DEFAULT_LIMITS.markdownSeconds).toBe(30);
    expect(site('').config?.limits.markdownSeconds).toBe(30);
    expect(site('limits:\n  markdownSeconds: 90\n').config?.limits.markdownSeconds).toBe(90);
    const half = site('limits:\n  markdownSeconds: 0.5\n');
    expect(half.diagnostics).toEqual([]);
    expect(half.config?.limits).toEqual({ ...DEFAULT_LIMITS, markdownSeconds: 0.5 });
  });

  it.each([
    ['0', 'zero'],
    ['-5', 'negative'],
    ['soon', 'a word'],
    ['"30"', 'a string of digits'],
    ['.inf', 'infinite'],
  ])('refuses %s (%s) with a place and what to write', (value) => {
    const { config, diagnostics } = site(`limits:\n  markdownSeconds: ${value}\n`);
    expect(config).toBeUndefined();
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.rule} ${d.severity}`)).toEqual([
      'content/_data/site.yaml:8:3 site/limits error',
    ]);
    expect(diagnostics[0]?.message).toContain('limits.markdownSeconds must be a number of seconds above 0, like 30');
  });
});
