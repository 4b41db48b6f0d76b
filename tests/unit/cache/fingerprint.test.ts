import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOAD_PACKAGES, packageVersions, pipelineFingerprint } from '../../../src/cache/fingerprint.js';
import { REPO, tempDir } from '../../helpers/site.js';

/** Writes node_modules/<name>/package.json below `dir`. */
async function pkg(dir: string, name: string, version: string, dependencies: Record<string, string> = {}) {
  const at = path.join(dir, 'node_modules', name);
  await mkdir(at, { recursive: true });
  await writeFile(path.join(at, 'package.json'), JSON.stringify({ name, version, dependencies }));
}

describe('packageVersions', () => {
  it('lists the whole dependency closure, nested copies included, so any version change changes it', async () => {
    const root = await tempDir();
    await pkg(root, 'remark', '15.0.1', { micromark: '^4' });
    await pkg(root, 'micromark', '4.0.2');
    await pkg(path.join(root, 'node_modules', 'remark'), 'micromark', '4.0.1');
    await pkg(root, 'yaml', '2.9.1', { gone: '^1' });
    const first = packageVersions(['remark', 'yaml'], root);
    // remark uses its own nested micromark, not the top-level one.
    expect(first).toEqual(['gone@missing', 'micromark@4.0.1', 'remark@15.0.1', 'yaml@2.9.1']);
    await pkg(path.join(root, 'node_modules', 'remark'), 'micromark', '4.0.3');
    expect(packageVersions(['remark', 'yaml'], root)).toContain('micromark@4.0.3');
  });

  it('covers the packages of the real pipeline', () => {
    const listed = packageVersions(LOAD_PACKAGES, REPO);
    for (const name of ['remark-gfm', 'micromark', 'mdast-util-to-hast', 'hast-util-sanitize', 'gray-matter', 'yaml']) {
      expect(listed.some((entry) => entry.startsWith(`${name}@`) && !entry.endsWith('@missing'))).toBe(true);
    }
    expect(pipelineFingerprint()).toMatch(/^[0-9a-f]{64}$/);
  });
});
