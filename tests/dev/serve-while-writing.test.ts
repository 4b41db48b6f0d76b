import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type DevServer, startServer } from '../../src/dev/server.js';
import { request } from '../helpers/http.js';
import { tempDir } from '../helpers/site.js';

/**
 * The dev output is rewritten in place (see DevOutput), and pages are read while that happens: the soak test
 * (`npm run soak`) caught a page served with more bytes than its Content-Length ("Data after Connection: close"),
 * as the file changed between the server's stat and its read. Every answer must be one whole version of the page.
 */

const page = (version: string, paragraphs: number): string =>
  `<!doctype html><html><head><title>${version}</title></head><body>${`<p>${version} text.</p>`.repeat(paragraphs)}</body></html>\n`;
const SHORT = page('short', 400);
const LONG = page('long', 1200);

let server: DevServer | undefined;
afterEach(async () => {
  await server?.close();
});

describe('the dev server, while a page is rewritten in place', () => {
  it('serves every request one whole version of the page, never a mix or a cut', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'news/x/index.html');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, SHORT);
    server = await startServer({ dir, host: '127.0.0.1', port: 0, greeting: () => [] });
    const url = server.url;

    let writing = true;
    const writer = (async () => {
      // As a rebuild writes a page, only far more often: in place (truncate, then write), 5 ms apart (at 1 ms, under
      // CI load, a page could stay empty through all of the server's re-reads: 1 answer of 240, once).
      for (let i = 0; writing; i++) {
        await writeFile(file, i % 2 ? SHORT : LONG);
        await sleep(5);
      }
    })();
    const problems: string[] = [];
    let answered = 0;
    const reader = async () => {
      for (let i = 0; i < 30; i++) {
        try {
          const reply = await request(url, '/news/x/');
          answered++;
          if (reply.status !== 200) problems.push(`status ${reply.status}`);
          else if (reply.text !== SHORT && reply.text !== LONG) problems.push(`a body of ${reply.body.length} bytes`);
          else if (Number(reply.headers['content-length']) !== reply.body.length) problems.push('a wrong length');
        } catch (cause) {
          problems.push((cause as Error).message);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, reader));
    writing = false;
    await writer;
    expect(problems.length, problems.slice(0, 5).join('; ')).toBe(0);
    expect(answered).toBe(240);
  });
});
