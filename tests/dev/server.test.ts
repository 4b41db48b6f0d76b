import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { load } from 'cheerio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIVE_RELOAD_TAG } from '../../src/dev/dev-output.js';
import { type DevBuild, DevSession } from '../../src/dev/dev-session.js';
import { occurrences, type Reply, request } from '../helpers/http.js';
import { buildSite, makeSite, REPO, release } from '../helpers/site.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const RELEASE = 'content/news/geneva-office.md';
const RELEASE_URL = '/news/geneva-office/';
// A real 1x1 PNG: the server must pass binary files through untouched.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const WOFF2 = Buffer.from('wOF2\u0000\u0001\u0000\u0000 not a real font, but served as one', 'latin1');

const FILES: Record<string, string> = {
  [RELEASE]: release({ title: 'IOM Opens a Geneva Office', date: '2020-01-02' }),
  'content/news/2012/older-release.md': release({ title: 'An Older Release', date: '2012-05-15' }),
  'content/pages/about.md': '---\ntitle: About Us\nsummary: Who we are.\n---\n\nWe are a test newsroom.\n',
  'public/css/site.css': 'body { color: #123456; }\n',
  'public/images/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>\n',
  'public/js/app.js': 'console.log("app");\n',
  'public/data/figures.json': '{"migrants": 281000000}\n',
  'public/data/extra.xml': '<?xml version="1.0"?><root/>\n',
  'public/robots.txt': 'User-agent: *\nAllow: /\n',
};

/** Every page the test site has, as the server names them. */
const PAGES = ['/', '/news/', RELEASE_URL, '/news/older-release/', '/about/', '/404.html'];

let root: string;
let session: DevSession;

beforeEach(async () => {
  root = await makeSite(FILES);
  await writeFile(path.join(root, 'public/images/pixel.png'), PNG);
  await mkdir(path.join(root, 'public/fonts'));
  await writeFile(path.join(root, 'public/fonts/site.woff2'), WOFF2);
  session = await DevSession.start({
    root,
    host: '127.0.0.1',
    port: 0,
    includeDrafts: false,
    now: NOW,
    streams: { out: () => {}, err: () => {} },
  });
});

afterEach(async () => {
  await session.close();
});

/** How many times the page loads the live-reload client, read with a real HTML parser (inside its body). */
const liveReloadScripts = (html: string): number => load(html)('body script[src="/__newsroom/live-reload.js"]').length;

const get = (rawPath: string, headers: Record<string, string> = {}): Promise<Reply> =>
  request(session.url, rawPath, { headers });

/** Edits a source file and waits for the rebuild it causes (without relying on file events' timing). */
async function edit(file: string, text: string): Promise<void> {
  await writeFile(path.join(root, file), text);
  session.request(file);
  await session.idle();
}

/** A live-reload event, as the page's EventSource receives it. */
type LiveEvent = Record<string, unknown> & { type: string };

interface EventStream {
  readonly contentType: string | undefined;
  /** Every event received so far, in order. */
  readonly events: readonly LiveEvent[];
  /** The next event matching `match` after those already taken (skipping the rest); fails after `ms`. */
  next(what: string, match: (event: LiveEvent) => boolean, ms?: number): Promise<LiveEvent>;
  close(): void;
}

const opened: http.ClientRequest[] = [];
afterEach(() => {
  for (const req of opened.splice(0)) req.destroy();
});

/** Opens `/__newsroom/events` and parses it as EventSource does: a `data:` block per event. */
async function openEvents(): Promise<EventStream> {
  const { hostname, port } = new URL(session.url);
  const events: LiveEvent[] = [];
  let wake = (): void => {};
  let req: http.ClientRequest | undefined;
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    req = http.get({ host: hostname, port, path: '/__newsroom/events', agent: false }, resolve);
    opened.push(req);
    req.on('error', reject);
  });
  let buffer = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice('data:'.length).replace(/^ /, ''))
        .join('\n');
      if (data !== '') events.push(JSON.parse(data) as LiveEvent);
    }
    wake();
  });
  let cursor = 0;
  return {
    contentType: res.headers['content-type'],
    events,
    next(what, match, ms = 5_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          wake = () => {};
          reject(new Error(`no ${what} event within ${ms} ms; received ${JSON.stringify(events)}`));
        }, ms);
        wake = () => {
          while (cursor < events.length) {
            const event = events[cursor++] as LiveEvent;
            if (match(event)) {
              clearTimeout(timer);
              wake = () => {};
              resolve(event);
              return;
            }
          }
        };
        wake();
      });
    },
    close: () => req?.destroy(),
  };
}

describe('newsroom dev: the preview server', () => {
  it('listens on loopback', () => {
    expect(session.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it.each([
    ['/', /^text\/html;\s*charset=utf-8$/i],
    [RELEASE_URL, /^text\/html;\s*charset=utf-8$/i],
    ['/css/site.css', /^text\/css\b/],
    ['/images/logo.svg', /^image\/svg\+xml\b/],
    ['/images/pixel.png', /^image\/png$/],
    ['/js/app.js', /^(text|application)\/javascript\b/],
    ['/data/figures.json', /^application\/json\b/],
    ['/fonts/site.woff2', /^font\/woff2$/],
    ['/data/extra.xml', /^(text|application)\/xml\b/],
    ['/robots.txt', /^text\/plain\b/],
  ])('serves %s with its content type', async (url, type) => {
    const reply = await get(url);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(type);
  });

  it('serves public/ files byte for byte, binary ones included', async () => {
    expect((await get('/images/pixel.png')).body.equals(PNG)).toBe(true);
    expect((await get('/fonts/site.woff2')).body.equals(WOFF2)).toBe(true);
    expect((await get('/data/figures.json')).text).toBe(FILES['public/data/figures.json']);
  });

  it('serves pretty URLs, and redirects a URL without its slash (302, query kept)', async () => {
    const page = await get(RELEASE_URL);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<h1>IOM Opens a Geneva Office<\/h1>/);
    expect((await get('/about/')).text).toMatch(/<h1[^>]*>About Us<\/h1>/);

    const bare = await get('/news/geneva-office');
    expect(bare.status).toBe(302);
    expect(bare.headers.location).toBe(RELEASE_URL);
    const withQuery = await get('/news/geneva-office?utm_source=mail&x=1');
    expect(withQuery.status).toBe(302);
    expect(withQuery.headers.location).toBe(`${RELEASE_URL}?utm_source=mail&x=1`);
    const index = await get('/news');
    expect([index.status, index.headers.location]).toEqual([302, '/news/']);

    const explicit = await get(`${RELEASE_URL}index.html`);
    expect(explicit.status).toBe(200);
    expect(explicit.text).toBe(page.text);
  });

  it.each(['//news', '//example.com/..%2fnews', '/\\example.com/..%2fnews'])(
    'never redirects %s to another host',
    async (url) => {
      const reply = await get(url);
      if (reply.status >= 300 && reply.status < 400) {
        // A browser resolves `//host/...` (and `/\host/...`) against the page: it must stay on this server.
        const target = new URL((reply.headers.location ?? '').replace(/\\/g, '/'), session.url);
        expect(target.origin, `${url} -> ${reply.headers.location}`).toBe(new URL(session.url).origin);
      }
    },
  );

  it.each(['/no/such/page/', '/no-such-page', '/news/no-such-release/', '/css/missing.css'])(
    "answers the unknown URL %s with the site's own 404 page and status 404",
    async (url) => {
      const reply = await get(url);
      expect(reply.status).toBe(404);
      expect(reply.headers['content-type']).toMatch(/^text\/html/);
      expect(reply.text).toContain('<h1>Page not found</h1>');
      expect(reply.text).toContain('<title>Page not found | International Organization for Migration</title>');
    },
  );

  describe('never serves a file outside its directory', () => {
    const secret = `newsroom-secret-${process.pid}-${Date.now()}`;
    let passwd = '';
    let parent: string;
    let outName: string;
    beforeEach(async () => {
      passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
      parent = path.dirname(session.outDir);
      outName = path.basename(session.outDir);
      await writeFile(path.join(parent, `${secret}.txt`), `TOP SECRET ${secret}\n`);
      // A sibling whose name starts with the served directory's name: caught only by a check that adds a separator.
      const evil = path.join(parent, `${outName}-evil`);
      await mkdir(evil, { recursive: true });
      await writeFile(path.join(evil, 'index.html'), `<p>TOP SECRET ${secret}</p>`);
      await writeFile(path.join(evil, 'secret.txt'), `TOP SECRET ${secret}\n`);
    });
    afterEach(async () => {
      await rm(path.join(parent, `${secret}.txt`), { force: true });
      await rm(path.join(parent, `${outName}-evil`), { recursive: true, force: true });
    });

    const expectRefused = (reply: Reply, url: string): void => {
      expect(reply.status, url).not.toBe(200);
      expect(reply.status, url).toBeGreaterThanOrEqual(400);
      expect(reply.text, url).not.toContain('TOP SECRET');
      expect(reply.text, url).not.toMatch(/root:.*:0:0:/);
      if (passwd !== '') expect(reply.text, url).not.toContain(passwd.slice(0, 40));
    };

    it.each([
      '/../../etc/passwd',
      '/../../../../../../../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2fetc/passwd',
      '/..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/%252e%252e/etc/passwd',
      '/%252e%252e/%252e%252e/%252e%252e/%252e%252e/etc/passwd',
      '/news/..%5c..%5c..%5cetc/passwd',
      '/news/..\\..\\..\\..\\..\\..\\etc/passwd',
      '/%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      '/news/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd',
    ])('refuses %s', async (url) => {
      expectRefused(await get(url), url);
    });

    it('refuses every spelling of a file beside the served directory', async () => {
      const name = `${secret}.txt`;
      for (const url of [
        `/../${name}`,
        `/%2e%2e/${name}`,
        `/%2E%2E/${name}`,
        `/..%2f${name}`,
        `/news/../../${name}`,
        `/news/%2e%2e/%2e%2e/${name}`,
        `/%252e%252e/${name}`,
        `/..%5c${name}`,
        `/../${outName}-evil/secret.txt`,
        `/%2e%2e/${outName}-evil/secret.txt`,
        `/../${outName}-evil/`,
        `/../${outName}-evil/index.html`,
      ]) {
        expectRefused(await get(url), url);
      }
      // Not even a redirect, which would tell that a directory exists out there.
      for (const url of [`/../${outName}-evil`, `/%2e%2e/${outName}-evil`, `/..%2f${outName}-evil`]) {
        const reply = await get(url);
        expect(reply.status, url).not.toBe(302);
        expectRefused(reply, url);
      }
    });
  });

  it('gives an ETag, answers If-None-Match with 304 and no body, and a new ETag after a rebuild', async () => {
    const first = await get(RELEASE_URL);
    const etag = first.headers.etag;
    expect(etag).toEqual(expect.any(String));
    const again = await get(RELEASE_URL, { 'If-None-Match': etag as string });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);

    await edit(RELEASE, release({ title: 'IOM Opens a Bigger Geneva Office', date: '2020-01-02' }));
    const after = await get(RELEASE_URL, { 'If-None-Match': etag as string });
    expect(after.status).toBe(200);
    expect(after.text).toContain('<h1>IOM Opens a Bigger Geneva Office</h1>');
    expect(after.headers.etag).not.toBe(etag);
    const cached = await get(RELEASE_URL, { 'If-None-Match': after.headers.etag as string });
    expect(cached.status).toBe(304);
  });

  it('gives a stylesheet a new ETag when it is edited, even to the same size', async () => {
    const first = await get('/css/site.css');
    expect(first.headers.etag).toEqual(expect.any(String));
    const edited = 'body { color: #654321; }\n';
    expect(edited.length).toBe(FILES['public/css/site.css']?.length);
    await edit('public/css/site.css', edited);
    const after = await get('/css/site.css', { 'If-None-Match': first.headers.etag as string });
    expect(after.status).toBe(200);
    expect(after.text).toBe(edited);
  });

  it('answers HEAD with the status and headers of GET and no body', async () => {
    const full = await get(RELEASE_URL);
    const head = await request(session.url, RELEASE_URL, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe(full.headers['content-type']);
    expect(head.headers.etag).toBe(full.headers.etag);
    expect(head.body.length).toBe(0);
    const missing = await request(session.url, '/no/such/page/', { method: 'HEAD' });
    expect(missing.status).toBe(404);
    expect(missing.body.length).toBe(0);
    const css = await request(session.url, '/css/site.css', { method: 'HEAD' });
    expect([css.status, css.headers['content-type'], css.body.length]).toEqual([200, 'text/css', 0]);
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH'])('answers %s with 405', async (method) => {
    const reply = await request(session.url, RELEASE_URL, { method });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toMatch(/GET/);
    expect(reply.text).not.toContain('IOM Opens');
  });

  it('adds the live-reload script exactly once to every page, also after a rebuild', async () => {
    const expectOnce = async (): Promise<void> => {
      for (const url of [...PAGES, `${RELEASE_URL}index.html`]) {
        const html = (await get(url)).text;
        expect(occurrences(html, LIVE_RELOAD_TAG), url).toBe(1);
        expect(liveReloadScripts(html), url).toBe(1);
      }
      // The 404 page served at a missing URL may mark its tag (data-page), but it loads the script once all the same.
      expect(liveReloadScripts((await get('/no/such/page/')).text)).toBe(1);
    };
    await expectOnce();
    await edit(RELEASE, release({ title: 'IOM Opens a Bigger Geneva Office', date: '2020-01-02' }));
    await edit(
      'templates/404.njk',
      (await readFile(path.join(root, 'templates/404.njk'), 'utf8')).replace('</h1>', '!</h1>'),
    );
    await expectOnce();
    expect((await get('/no/such/page/')).text).toContain('<h1>Page not found!</h1>');
    // Assets are served as they are.
    expect(occurrences((await get('/js/app.js')).text, '__newsroom')).toBe(0);
  });

  it('serves the live-reload client as JavaScript', async () => {
    const reply = await get('/__newsroom/live-reload.js');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^(text|application)\/javascript\b/);
    expect(reply.text).toBe(await readFile(path.join(REPO, 'client/live-reload.js'), 'utf8'));
  });

  it('leaves no trace of itself in a normal build of the same site', async () => {
    const built = await buildSite(root);
    expect(built.code).toBe(0);
    const dist = path.join(root, 'dist');
    const files = (await readdir(dist, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    expect(files.length).toBeGreaterThan(10);
    for (const entry of files) {
      const full = path.join(entry.parentPath, entry.name);
      expect(full).not.toContain('__newsroom');
      expect((await readFile(full)).toString('latin1'), full).not.toContain('__newsroom');
    }
    expect(await readFile(path.join(dist, 'news/geneva-office/index.html'), 'utf8')).toContain(
      '<h1>IOM Opens a Geneva Office</h1>',
    );
  });
});

describe('newsroom dev: the live-reload event stream', () => {
  it('greets with hello and the build state, then reports changes, errors and their fix', async () => {
    const stream = await openEvents();
    expect(stream.contentType).toMatch(/^text\/event-stream\b/);
    await stream.next('state', (e) => e.type === 'state');
    expect(stream.events[0]).toMatchObject({ type: 'hello', session: expect.any(String) });
    expect(stream.events[1]).toMatchObject({ type: 'state', errors: [] });

    await edit(RELEASE, release({ title: 'IOM Opens a Bigger Geneva Office', date: '2020-01-02' }));
    const change = await stream.next('change', (e) => e.type === 'change');
    expect(change.urls).toEqual(expect.arrayContaining([RELEASE_URL, '/news/']));
    expect(change.urls).not.toContain('/404.html'); // a page that does not show the release is not reloaded

    await edit(RELEASE, release({ title: 'A Title That Must Not Be Served', date: '2024-02-30' }));
    const broken = await stream.next('state with errors', (e) => e.type === 'state' && (e.errors as []).length > 0);
    expect(broken.errors).toEqual([expect.stringMatching(/^content\/news\/geneva-office\.md:3:1: date must be /)]);
    const stale = await get(RELEASE_URL);
    expect(stale.status).toBe(200);
    expect(stale.text).toContain('<h1>IOM Opens a Bigger Geneva Office</h1>');
    expect(stale.text).not.toContain('Must Not Be Served');
    // A page opened now learns of the errors from its greeting.
    const late = await openEvents();
    const greeting = await late.next('state', (e) => e.type === 'state');
    expect(greeting.errors).toEqual(broken.errors);

    await edit(RELEASE, release({ title: 'IOM Opens a Fixed Geneva Office', date: '2020-01-02' }));
    await stream.next('state without errors', (e) => e.type === 'state' && (e.errors as []).length === 0);
    const fixed = await stream.next('change', (e) => e.type === 'change');
    expect(fixed.urls).toContain(RELEASE_URL);
    expect((await get(RELEASE_URL)).text).toContain('<h1>IOM Opens a Fixed Geneva Office</h1>');
    stream.close();
    late.close();
  });

  it('announces the pages of a build before its feeds, and no URL twice', async () => {
    const stream = await openEvents();
    await stream.next('state', (e) => e.type === 'state');
    const builds: DevBuild[] = [];
    session.onBuild((build) => builds.push(build));
    const body = release({ title: 'IOM Opens a Geneva Office', date: '2020-01-02' }, 'Officials met today. Edited.\n');
    await edit(RELEASE, body);
    const pages = await stream.next('change', (e) => e.type === 'change');
    const feeds = await stream.next('change', (e) => e.type === 'change' && e.build === pages.build);
    // The edited page is served as soon as its event is out: the browser reloads it without waiting for feeds.
    expect(pages.urls).toContain(RELEASE_URL);
    expect((pages.urls as string[]).filter((url) => /\.(xml|json)$/.test(url))).toEqual([]);
    expect(feeds.urls).toEqual(expect.arrayContaining(['/news/feed.xml', '/news/atom.xml', '/news/feed.json']));
    expect((feeds.urls as string[]).filter((url) => (pages.urls as string[]).includes(url))).toEqual([]);
    // The build itself reports everything it changed.
    expect(builds.at(-1)?.change?.urls).toEqual([...(pages.urls as string[]), ...(feeds.urls as string[])].sort());
    expect((await get('/news/feed.xml')).text).toContain('Edited.');
    stream.close();
  });

  it('tells pages about a changed stylesheet by its path', async () => {
    const stream = await openEvents();
    await stream.next('state', (e) => e.type === 'state');
    await edit('public/css/site.css', 'body { color: red; }\n');
    const change = await stream.next('change', (e) => e.type === 'change');
    expect(change.css).toEqual(['/css/site.css']);
    stream.close();
  });

  it('rebuilds on its own when a file is saved', async () => {
    const stream = await openEvents();
    await stream.next('state', (e) => e.type === 'state');
    await writeFile(path.join(root, RELEASE), release({ title: 'Saved In An Editor', date: '2020-01-02' }));
    const change = await stream.next('change', (e) => e.type === 'change', 10_000);
    expect(change.urls).toContain(RELEASE_URL);
    expect((await get(RELEASE_URL)).text).toContain('<h1>Saved In An Editor</h1>');
    stream.close();
  });
});
