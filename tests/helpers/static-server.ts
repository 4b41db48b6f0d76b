import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sirv from 'sirv';
import { headersFor, parseHeaders } from './headers-rules.js';

/** A running static server. */
export interface StaticServer {
  /** Its origin, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the built site in `dir` over real HTTP on 127.0.0.1, as a plain static host would (files only, no server
 * code), at the root or under `basePath` (`/newsroom`). A missing path gets its language's 404 page (`/fr/…` -> `fr/404.html`, else `404.html`) with status 404.
 * Every response carries the headers the build's `_headers` gives its URL (the Content-Security-Policy ...), as
 * Netlify and Cloudflare Pages send them.
 */
export async function serveStatic(dir: string, options: { basePath?: string } = {}): Promise<StaticServer> {
  const basePath = options.basePath ?? '';
  const headersPath = path.join(dir, '_headers');
  const rules = existsSync(headersPath) ? parseHeaders(await readFile(headersPath, 'utf8')) : [];
  const files = sirv(dir, { dev: false, etag: false });
  const notFound = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const first = new URL(req.url ?? '/', 'http://host').pathname.split('/')[1] ?? '';
    const localised = /^[a-z]{2}$/.test(first) ? path.join(dir, first, '404.html') : '';
    const page = localised && existsSync(localised) ? localised : path.join(dir, '404.html');
    res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(await readFile(page));
  };
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://host').pathname;
    for (const [name, value] of headersFor(rules, pathname)) res.setHeader(name, value);
    // Under a base path (a site served at https://example.org/newsroom/), nothing outside it exists.
    if (basePath) {
      const url = req.url ?? '/';
      if (!url.startsWith(`${basePath}/`)) {
        res.writeHead(404).end();
        return;
      }
      req.url = url.slice(basePath.length);
    }
    files(req, res, () => {
      notFound(req, res).catch((error: unknown) => res.destroy(error instanceof Error ? error : undefined));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
