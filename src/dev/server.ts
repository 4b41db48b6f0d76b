import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sirv from 'sirv';
import { injectLiveReload, LIVE_RELOAD_TAG } from './dev-output.js';

/** A message to open pages: a JSON object with a `type`. */
export type LiveEvent = Readonly<Record<string, unknown> & { type: string }>;

/** The running preview server. */
export interface DevServer {
  /** `http://host:port/`. */
  readonly url: string;
  /** Sends `event` to every open page. */
  broadcast(event: LiveEvent): void;
  /** Stops listening and ends every connection (open pages reconnect to the next server). */
  close(): Promise<void>;
}

/** Where the preview server listens and what it greets new pages with. */
export interface ServerOptions {
  readonly dir: string;
  readonly host: string;
  readonly port: number;
  /** Events every newly opened page receives first (the session, the current build errors). */
  readonly greeting: () => readonly LiveEvent[];
}

const CLIENT = readFileSync(new URL('../../client/live-reload.js', import.meta.url), 'utf8');
const NO_BUILD = injectLiveReload(
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>No build yet</title></head>' +
    '<body><main><h1>The site has not built yet</h1><p>Fix the errors and save.</p></main></body></html>',
);

/** The decoded path of a request, or undefined when it is malformed. */
function pathnameOf(url: string): string | undefined {
  const raw = url.split(/[?#]/)[0] ?? '/';
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** The directory redirect (302: a dev server must not be cached as permanent) a pretty URL needs: `/news/x` -> `/news/x/` when `/news/x/index.html` exists. */
function directoryRedirect(dir: string, url: string): string | undefined {
  // `//host/x` or `/\host/x` as a Location would send the browser to another host: never redirect those.
  if (!/^\/[^/\\]/.test(url)) return undefined;
  const pathname = pathnameOf(url);
  if (pathname === undefined || pathname.endsWith('/') || pathname.includes('\0')) return undefined;
  const target = path.join(dir, pathname, 'index.html');
  if (!target.startsWith(dir + path.sep) || !existsSync(target) || !statSync(target).isFile()) return undefined;
  const [rawPath, ...query] = url.split('?');
  return `${rawPath}/${query.length > 0 ? `?${query.join('?')}` : ''}`;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * How many times a file read while it was being rewritten is read again before it is served as read, and the first
 * wait, doubled each time up to the last (about 2 s in all): with the disk and libuv's threads busy with a rebuild's
 * writes, a page can stay empty between its truncation and its write for tens of milliseconds.
 */
const REREADS = 25;
const REREAD_DELAY_MS = [5, 100] as const;

/**
 * Runs `serve` (sirv) with the response held in memory, and sends it only once its body has the length its headers
 * announce and a page is not empty. The dev output is rewritten in place while pages are read, and sirv stats a file
 * before it reads it: a file rewritten in between gave a cut body, an empty page, or more bytes than announced (which
 * the browser's parser rejects). Such a response is made again from a fresh stat and read; so is one whose file went
 * between the two (a read error sirv leaves unhandled, which would end the process).
 */
function serveWhole(serve: Handler, req: http.IncomingMessage, res: http.ServerResponse, attempt = 0): void {
  const { writeHead, write, end } = res;
  let status: number | undefined;
  let headers: http.OutgoingHttpHeaders = {};
  const chunks: Buffer[] = [];
  let retried = false;
  const restore = (): void => {
    Object.assign(res, { writeHead, write, end });
    res.off('pipe', watchSource);
  };
  const retry = (): void => {
    if (retried) return;
    retried = true;
    restore();
    const wait = Math.min(REREAD_DELAY_MS[0] * 2 ** attempt, REREAD_DELAY_MS[1]);
    setTimeout(() => serveWhole(serve, req, res, attempt + 1), wait);
  };
  const watchSource = (source: NodeJS.ReadableStream): void => {
    source.once('error', () => {
      source.unpipe(res);
      retry();
    });
  };
  res.on('pipe', watchSource);
  // The overrides take the forms sirv and notFound use: writeHead(status, headers?), write(chunk), end(chunk?).
  res.writeHead = ((code: number, given?: http.OutgoingHttpHeaders) => {
    status = code;
    headers = { ...given };
    return res;
  }) as typeof res.writeHead;
  res.write = ((chunk: string | Uint8Array) => {
    chunks.push(Buffer.from(chunk));
    return true;
  }) as typeof res.write;
  res.end = ((chunk?: string | Uint8Array | (() => void)) => {
    if (retried) return res;
    if (chunk !== undefined && typeof chunk !== 'function') chunks.push(Buffer.from(chunk));
    const body = Buffer.concat(chunks);
    const code = status ?? res.statusCode;
    const announced = headers['Content-Length'] ?? headers['content-length'];
    const cut = announced !== undefined && Number(announced) !== body.length;
    const empty = body.length === 0 && String(headers['Content-Type'] ?? '').startsWith('text/html');
    if (req.method === 'GET' && code < 300 && (cut || empty) && attempt < REREADS) {
      retry();
      return res;
    }
    restore();
    if (req.method === 'GET' && announced !== undefined) headers['Content-Length'] = body.length;
    res.writeHead(code, headers);
    return req.method === 'HEAD' ? res.end() : res.end(body);
  }) as typeof res.end;
  serve(req, res);
}

/**
 * Serves the dev output: static files through sirv (content types, ETag and 304, no path traversal), pretty URLs,
 * the site's 404 page with status 404, the live-reload script and its event stream (server-sent events).
 */
export async function startServer(options: ServerOptions): Promise<DevServer> {
  const dir = path.resolve(options.dir);
  const clients = new Set<http.ServerResponse>();
  const notFound = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    // A language's own 404 page (/fr/404.html) for URLs under its prefix, the site's otherwise.
    const first = /^\/([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\//.exec(req.url ?? '')?.[1];
    const own = first ? await readFile(path.join(dir, first, '404.html'), 'utf8').catch(() => undefined) : undefined;
    const page404 = own === undefined ? '/404.html' : `/${first}/404.html`;
    const page = (own ?? (await readFile(path.join(dir, '404.html'), 'utf8').catch(() => NO_BUILD))).replace(
      LIVE_RELOAD_TAG,
      LIVE_RELOAD_TAG.replace('<script ', `<script data-page="${page404}" `),
    );
    res.writeHead(404, { 'Content-Type': 'text/html;charset=utf-8', 'Cache-Control': 'no-cache' });
    res.end(page);
  };
  const files = sirv(dir, {
    dev: true,
    etag: true,
    onNoMatch: (req, res) => void notFound(req, res),
  });
  const send = (res: http.ServerResponse, event: LiveEvent): void => {
    res.write(`data: ${JSON.stringify(event)}\n\n`);
  };

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (url === '/__newsroom/events') {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
      });
      res.write('retry: 500\n\n');
      for (const event of options.greeting()) send(res, event);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (url === '/__newsroom/live-reload.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript;charset=utf-8', 'Cache-Control': 'no-cache' });
      res.end(CLIENT);
      return;
    }
    const redirect = directoryRedirect(dir, url);
    if (redirect !== undefined) {
      res.writeHead(302, { Location: redirect }).end();
      return;
    }
    serveWhole(files, req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    broadcast(event) {
      for (const res of clients) send(res, event);
    },
    async close() {
      for (const res of clients) res.end();
      clients.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
