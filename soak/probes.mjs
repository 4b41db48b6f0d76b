// What the soak test asks of the running dev server: many requests at once, every page against a clean build, its
// memory. Each returns plain figures and a list of problems, so the summary can say exactly what went wrong.
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

/** The tag `newsroom dev` adds to each page it serves (lib/dev/dev-output.js, compiled from src/). */
export const { LIVE_RELOAD_TAG } = await import('../lib/dev/dev-output.js');

/** Longer than any request should take while builds run, so a hung request fails instead of hanging the soak. */
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * One request on a fresh connection, read in full. Resolves with the status, headers, body and whether the body was
 * cut short (fewer bytes than Content-Length, or the connection reset): a short page is an error, never a page.
 * An event stream is read until its first `state` event, then closed.
 */
export function fetchRaw(base, rawPath, { method = 'GET', stream = false } = {}) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const chunks = [];
    let settled = false;
    const done = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = http.request({ host: hostname, port, path: rawPath, method, agent: false }, (res) => {
      const finish = (error) => {
        const body = Buffer.concat(chunks);
        done({ status: res.statusCode, headers: res.headers, body, error });
      };
      res.on('data', (chunk) => {
        chunks.push(chunk);
        if (stream && /"type":"state"/.test(Buffer.concat(chunks).toString('utf8'))) {
          finish(undefined);
          req.destroy();
        }
      });
      res.on('aborted', () => finish('the response was cut short'));
      res.on('error', (cause) => finish(cause.message));
      res.on('end', () => {
        const length = res.headers['content-length'];
        const body = Buffer.concat(chunks);
        if (length !== undefined && Number(length) !== body.length) {
          finish(`${body.length} bytes of the ${length} announced`);
        } else finish(stream ? 'the event stream ended before its greeting' : undefined);
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      done({ status: 0, headers: {}, body: Buffer.alloc(0), error: `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` });
    }, REQUEST_TIMEOUT_MS);
    req.on('error', (cause) => done({ status: 0, headers: {}, body: Buffer.alloc(0), error: cause.message }));
    req.end();
  });
}

const count = (text, needle) => text.split(needle).length - 1;
const LIVE_RELOAD_SRC = 'src="/__newsroom/live-reload.js"';

/**
 * What one answer must be. A page: 200, whole (it ends with `</html>`), the live-reload tag once. A missing page:
 * the site's 404 page, whole. A path without its slash: a 302 to it. The event stream: 200 and the greeting.
 */
function judge(target, reply) {
  if (reply.error) return reply.error;
  if (reply.status !== target.status) return `status ${reply.status}, not ${target.status}`;
  const text = reply.body.toString('utf8');
  if (target.type === 'page' || target.type === 'missing') {
    if (!text.trimEnd().endsWith('</html>')) return 'the page does not end with </html>';
    // The 404 page's tag carries the page it is (data-page="/404.html"), so count the script's address.
    const tags = count(text, LIVE_RELOAD_SRC);
    if (tags !== 1) return `${tags} live-reload tags, not 1`;
    if (target.type === 'missing' && !text.includes('data-page="/')) return 'not marked as the 404 page';
  }
  if (target.type === 'redirect' && reply.headers.location !== target.location) {
    return `Location ${reply.headers.location}, not ${target.location}`;
  }
  if (target.type === 'stream' && !(text.includes('"type":"hello"') && text.includes('"type":"state"'))) {
    return 'no hello and state events';
  }
  if (target.type === 'asset' && reply.body.length === 0) return 'an empty asset';
  if (target.type === 'method' && reply.headers.allow !== 'GET, HEAD') return `Allow: ${reply.headers.allow}`;
  return undefined;
}

/**
 * The 200 requests fired at once: pages of releases that stay (while they are being edited), listings, assets,
 * missing pages, paths without their slash, event streams and a wrong method.
 */
export function burstTargets(stableUrls, random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const listings = ['/', '/news/', '/news/page/2/', '/news/archive/', '/themes/', '/regions/', '/countries/', '/fr/'];
  const assets = [
    '/css/site.css',
    '/js/site.js',
    '/images/share-card.png',
    '/images/beira-shelter.svg',
    '/__newsroom/live-reload.js',
    '/news/feed.xml',
    '/news/feed.json',
    '/sitemap.xml',
  ];
  const targets = [];
  for (let i = 0; i < 70; i++) targets.push({ type: 'page', path: pick(stableUrls), status: 200 });
  for (let i = 0; i < 20; i++) targets.push({ type: 'page', path: pick(listings), status: 200 });
  for (let i = 0; i < 30; i++) targets.push({ type: 'asset', path: pick(assets), status: 200 });
  for (let i = 0; i < 30; i++) {
    targets.push({ type: 'missing', path: `${i % 3 === 0 ? '/fr' : ''}/no-such-page-${i}/`, status: 404 });
  }
  for (let i = 0; i < 20; i++) {
    const url = pick(stableUrls);
    targets.push({ type: 'redirect', path: url.slice(0, -1), status: 302, location: url });
  }
  for (let i = 0; i < 20; i++) targets.push({ type: 'stream', path: '/__newsroom/events', status: 200 });
  for (let i = 0; i < 10; i++) targets.push({ type: 'method', path: pick(stableUrls), status: 405, method: 'POST' });
  return targets;
}

/** Fires every target at once; resolves with how many were served right and the failures. */
export async function burst(base, targets) {
  const replies = await Promise.all(
    targets.map((t) => fetchRaw(base, t.path, { method: t.method, stream: t.type === 'stream' })),
  );
  const failures = [];
  replies.forEach((reply, i) => {
    const why = judge(targets[i], reply);
    if (why) failures.push(`${targets[i].method ?? 'GET'} ${targets[i].path}: ${why}`);
  });
  return { ok: targets.length - failures.length, failed: failures.length, failures };
}

/** Every file below `dir`, relative path -> bytes. */
export async function readTree(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
  const tree = new Map();
  for (const file of files) tree.set(file, await readFile(path.join(dir, file)));
  return tree;
}

/** The URL a file of the output is served at: `news/x/index.html` -> `/news/x/`. */
const urlOf = (file) => (file === 'index.html' ? '/' : `/${file.replace(/(^|\/)index\.html$/, '$1')}`);

/** Runs `work` over `items`, `limit` at a time. */
async function limited(items, limit, work) {
  let next = 0;
  const run = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: limit }, run));
}

/**
 * Stale pages: the dev server's directory against a clean build's (files missing, left over, or different, the
 * live-reload tag taken out), then every file of the clean build fetched from the server and compared byte for byte,
 * and every URL of a deleted or renamed release, which must be the 404 page.
 */
export async function stalePages(base, devDir, cleanDir, goneUrls) {
  const problems = [];
  const clean = await readTree(cleanDir);
  const dev = await readTree(devDir);
  for (const [file, bytes] of dev) {
    let served = bytes;
    if (file.endsWith('.html')) {
      const parts = bytes.toString('latin1').split(LIVE_RELOAD_TAG);
      if (parts.length !== 2) problems.push(`${file}: ${parts.length - 1} live-reload tags in the dev directory`);
      served = Buffer.from(parts.join(''), 'latin1');
    }
    const expected = clean.get(file);
    if (expected === undefined) problems.push(`${file}: in the dev directory, not in a clean build`);
    else if (!expected.equals(served)) problems.push(`${file}: differs from a clean build in the dev directory`);
  }
  for (const file of clean.keys()) {
    if (!dev.has(file)) problems.push(`${file}: in a clean build, missing from the dev directory`);
  }
  // Over HTTP: what a browser gets. Dot folders (.newsroom/) are not served.
  const served = [...clean.keys()].filter((file) => !file.startsWith('.'));
  await limited(served, 8, async (file) => {
    const reply = await fetchRaw(base, encodeURI(urlOf(file)));
    if (reply.error || reply.status !== 200) {
      problems.push(`${urlOf(file)}: ${reply.error ?? `status ${reply.status}`}`);
      return;
    }
    const body = file.endsWith('.html')
      ? Buffer.from(reply.body.toString('latin1').replace(LIVE_RELOAD_TAG, ''), 'latin1')
      : reply.body;
    if (!body.equals(clean.get(file))) problems.push(`${urlOf(file)}: served stale (differs from a clean build)`);
  });
  const gone = [...goneUrls].filter((url) => !clean.has(`${url.slice(1)}index.html`));
  await limited(gone, 8, async (url) => {
    const reply = await fetchRaw(base, encodeURI(url));
    if (reply.status !== 404) problems.push(`${url}: status ${reply.status} for a deleted or renamed release, not 404`);
  });
  return { checked: { files: clean.size, urls: served.length, gone: gone.length }, problems: problems.sort() };
}

/** The resident set of a process now and at its peak, in bytes, from /proc (Linux). */
export async function procMemory(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** The median of a list of numbers (NaN for none). */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
