import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Manifest,
  manifestChunks,
  parseManifest,
  serializeManifest,
  sha256OfFile,
} from '../../../src/publish/manifest.js';
import { tempDir } from '../../helpers/site.js';

const manifestOf = (count: number): Manifest => ({
  generator: 'newsroom',
  version: 1,
  baseUrl: 'https://news.example.org',
  now: '2026-11-27T00:00:00.000Z',
  nextBuildAt: null,
  drafts: false,
  files: Array.from({ length: count }, (_, i) => ({
    path: `news/release-${String(count - i).padStart(6, '0')}/index.html`,
    sha256: 'a'.repeat(64),
    size: i,
    type: 'text/html; charset=utf-8',
    cacheControl: 'public, max-age=300, must-revalidate',
    ...(i % 3 === 0 ? { encoding: 'br' as const } : {}),
    kind: 'page' as const,
    sources: [`content/news/release-${i}.md`],
  })),
});

describe('the manifest', () => {
  it('comes in pieces that make its text: files sorted, one a line', () => {
    const manifest = manifestOf(10_000);
    const chunks = [...manifestChunks(manifest)];
    expect(chunks.length).toBeGreaterThan(1);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toBe(serializeManifest(manifest));
    const lines = text.split('\n');
    expect(lines).toHaveLength(10_000 + 3);
    expect(lines[1]).toMatch(/^\{"path":"news\/release-000001\/index.html",.*\},$/);
    expect(parseManifest(text, 'manifest').files.map((f) => f.path)).toEqual(manifest.files.map((f) => f.path).sort());
  });

  it('of no files is still a document', () => {
    expect(JSON.parse(serializeManifest(manifestOf(0)))).toMatchObject({ files: [] });
  });

  it('is hashed from its file a piece at a time', async () => {
    const file = path.join(await tempDir(), 'manifest.json');
    const text = serializeManifest(manifestOf(3_000));
    await writeFile(file, text);
    expect(await sha256OfFile(file)).toBe(createHash('sha256').update(text).digest('hex'));
    expect(await sha256OfFile(`${file}.missing`)).toBeUndefined();
  });
});
