import { hash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { type CompiledSite, canWrite, type RenderedFile, renderRoutes } from '../build.js';
import { type Diagnostic, sortDiagnostics } from '../diagnostics.js';
import { MARKER, textOf } from '../output/write-site.js';
import { pacer } from '../pacer.js';
import type { Route } from '../site/routes.js';

/** The script tag `newsroom dev` adds to every page it serves; never part of `newsroom build` output. */
export const LIVE_RELOAD_TAG = '<script src="/__newsroom/live-reload.js" defer></script>';

/** Adds the live-reload script to a page, before its last `</body>` (or at the end). */
export function injectLiveReload(html: string): string {
  const at = html.lastIndexOf('</body>');
  return at === -1 ? html + LIVE_RELOAD_TAG : html.slice(0, at) + LIVE_RELOAD_TAG + html.slice(at);
}

/** What one successful dev build changed, for live reload. */
export interface DevChange {
  /** URLs of pages whose HTML changed, appeared or went. */
  readonly urls: readonly string[];
  /** Site paths (`/css/site.css`) of stylesheets that changed. */
  readonly css: readonly string[];
  /** Whether any other asset (image, script, font) changed, appeared or went. */
  readonly otherAssets: boolean;
}

/** The outcome of applying a build to the dev output. */
export interface DevApplied {
  readonly diagnostics: readonly Diagnostic[];
  /** Undefined when the build failed and the last good site was kept. */
  readonly change: DevChange | undefined;
  /** What was not yet announced while applying: all of `change` when there was nothing to announce first. */
  readonly pending?: DevChange | undefined;
  /** Pages rendered (the rest were unchanged and skipped). */
  readonly rendered: number;
}

/** Route kinds made by code rather than templates: written after the pages (see {@link DevOutput.apply}). */
const GENERATED: ReadonlySet<Route['kind']> = new Set(['feed', 'sitemap', 'robots']);

/** The URL a page is served at: `news/x/index.html` -> `/news/x/`. */
export function urlOf(outputPath: string): string {
  return outputPath === 'index.html'
    ? '/'
    : outputPath.endsWith('/index.html')
      ? `/${outputPath.slice(0, -'index.html'.length)}`
      : `/${outputPath}`;
}

const sha1 = (text: string): string => hash('sha1', text);
/** Files written at once: enough to keep the disk busy, few enough not to run out of file handles. */
const WRITE_BATCH = 64;
const DEV_PREFIX = 'newsroom-dev-';

/** Whether a process is still running (a dev server that left its directory behind when killed is not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (cause) {
    return (cause as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The directory `newsroom dev` serves: a temporary copy of the site, updated in place after each successful build
 * with only the files that changed. A failed build changes nothing, so the last good site stays served.
 */
export class DevOutput {
  readonly dir: string;
  /**
   * Output path -> signature of the inputs it was rendered from, and the length and (when it was needed) hash of
   * what was written.
   */
  readonly #pages = new Map<string, { signature: string; length: number; hash: string | undefined }>();
  /**
   * Route -> the signature context of the last build that found its page up to date, and the page's entry then:
   * while both are the same, that route object needs no signature (a body edit at 10,000 releases skips 13,000).
   */
  readonly #fresh = new WeakMap<Route, { context: string; page: object }>();
  /** Output path -> stamp of the public/ file copied there. */
  readonly #assets = new Map<string, string>();
  /** Folders known to exist, so a write of 10,000 pages does not ask for each one again. */
  readonly #folders = new Set<string>();

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Makes a fresh directory under the system's temp directory, clearing any left by killed dev servers. */
  static async create(): Promise<DevOutput> {
    const base = tmpdir();
    for (const name of await readdir(base).catch(() => [] as string[])) {
      const pid = Number(name.slice(DEV_PREFIX.length).split('-')[0]);
      if (name.startsWith(DEV_PREFIX) && Number.isInteger(pid) && pid > 0 && !alive(pid)) {
        // Another user's leftovers may not be ours to remove: that is no reason not to start.
        await rm(path.join(base, name), { recursive: true, force: true }).catch(() => undefined);
      }
    }
    const dir = await mkdtemp(path.join(base, `${DEV_PREFIX}${process.pid}-`));
    await mkdir(path.join(dir, path.dirname(MARKER)), { recursive: true });
    await writeFile(path.join(dir, MARKER), `${JSON.stringify({ generator: 'newsroom' })}\n`);
    return new DevOutput(dir);
  }

  /**
   * Writes one file in place. Not through a temporary file and a rename, which doubled the time of a 10,000-page
   * rebuild: a page fetched while it is being written is reloaded anyway, as its URL is in the change event sent
   * once every file is written.
   */
  async #write(relative: string, write: (full: string) => Promise<void>): Promise<void> {
    const full = path.join(this.dir, relative);
    const folder = path.dirname(full);
    if (!this.#folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.#folders.add(folder);
    }
    await write(full);
  }

  async #remove(relative: string): Promise<void> {
    await unlink(path.join(this.dir, relative)).catch(() => undefined);
    // Leave no empty folders behind, as a clean build would not have them.
    let dir = path.dirname(path.join(this.dir, relative));
    while (dir !== this.dir && dir.startsWith(this.dir)) {
      const removed = await rmdir(dir).then(
        () => true,
        () => false, // not empty
      );
      if (!removed) break;
      this.#folders.delete(dir);
      dir = path.dirname(dir);
    }
  }

  /**
   * Renders the pages whose inputs changed and, if the build has no errors, updates the directory: changed pages
   * and assets are written, removed ones deleted. `changed` names root-relative files a watcher saw change.
   *
   * Feeds and sitemaps come last: once the pages and assets are written, `announce` (if given) is told of them,
   * so a browser shows an edit without waiting for the feeds it touched (a body edit re-renders a dozen feeds of
   * twenty bodies each, more work than its page). They are made by code, not templates, and cannot fail a build
   * that got that far. The result's change has everything; its `pending` part is what was not announced.
   */
  async apply(
    compiled: CompiledSite,
    changed: ReadonlySet<string>,
    announce?: (change: DevChange) => void,
  ): Promise<DevApplied> {
    const pause = pacer();
    // The signatures of the stale routes only: a body edit at 10,000 releases keeps 13,000 of 13,013.
    const signatures = new Map<string, string>();
    const stale: Route[] = [];
    const context = compiled.signatureContext;
    for (const [i, route] of compiled.routes.entries()) {
      if (i % 1024 === 0) {
        const wait = pause();
        if (wait) await wait;
      }
      const page = this.#pages.get(route.outputPath);
      const fresh = this.#fresh.get(route);
      if (page !== undefined && fresh?.page === page && fresh.context === context) continue;
      const signature = compiled.signature(route);
      if (page?.signature === signature) {
        this.#fresh.set(route, { context, page });
        continue;
      }
      signatures.set(route.outputPath, signature);
      stale.push(route);
    }
    const [pages, generated] = announce
      ? [stale.filter((route) => !GENERATED.has(route.kind)), stale.filter((route) => GENERATED.has(route.kind))]
      : [stale, []];
    const rendered = await renderRoutes(compiled, pages);
    const diagnostics = sortDiagnostics([...compiled.diagnostics, ...rendered.diagnostics]);
    if (!canWrite(compiled, diagnostics)) return { diagnostics, change: undefined, rendered: pages.length };

    const urls: string[] = [];
    const css: string[] = [];
    let otherAssets = false;
    const livePages = new Set(compiled.routes.map((r) => r.outputPath));
    const liveAssets = new Set(compiled.assets.map((a) => a.outputPath));
    for (const outputPath of [...this.#pages.keys()].filter((p) => !livePages.has(p))) {
      this.#pages.delete(outputPath);
      if (!liveAssets.has(outputPath)) await this.#remove(outputPath);
      urls.push(urlOf(outputPath));
    }
    for (const outputPath of [...this.#assets.keys()].filter((p) => !liveAssets.has(p))) {
      this.#assets.delete(outputPath);
      if (!livePages.has(outputPath)) await this.#remove(outputPath);
      otherAssets = true;
    }
    await this.#writeFiles(rendered.files, signatures, urls, pause);
    for (const asset of compiled.assets) {
      const info = await stat(asset.absolutePath);
      const stamp = `${info.size}:${info.mtimeMs}:${info.ctimeMs}:${info.ino}`;
      const source = path.relative(compiled.sources.root, asset.absolutePath).split(path.sep).join('/');
      if (this.#assets.get(asset.outputPath) === stamp && !changed.has(source)) continue;
      this.#assets.set(asset.outputPath, stamp);
      await this.#write(asset.outputPath, (full) => copyFile(asset.absolutePath, full));
      if (asset.outputPath.endsWith('.css')) css.push(`/${asset.outputPath}`);
      else otherAssets = true;
    }
    const first: DevChange = { urls: urls.sort(), css: css.sort(), otherAssets };
    if (generated.length === 0) return { diagnostics, change: first, pending: first, rendered: stale.length };
    announce?.(first);

    // One file a turn of the event loop: the reload a browser asks for now is served between two feeds, not after
    // the last (the server runs on this thread).
    const later: string[] = [];
    for (const route of generated) {
      await setImmediate();
      const made = await renderRoutes(compiled, [route]);
      await this.#writeFiles(made.files, signatures, later, pause);
    }
    later.sort();
    const change = { ...first, urls: [...first.urls, ...later].sort() };
    return { diagnostics, change, pending: { urls: later, css: [], otherAssets: false }, rendered: stale.length };
  }

  /** Writes the rendered files whose bytes changed, adding their URLs to `urls`. */
  async #writeFiles(
    files: readonly RenderedFile[],
    signatures: ReadonlyMap<string, string>,
    urls: string[],
    pause: () => Promise<void> | undefined,
  ): Promise<void> {
    const writes: (() => Promise<void>)[] = [];
    for (const file of files) {
      const wait = pause();
      if (wait) await wait;
      const signature = signatures.get(file.path) ?? '';
      const known = this.#pages.get(file.path);
      const text = textOf(file);
      const length = text.length;
      // A page whose length changed has changed: hash only pages that may be the same (skipping 150 MB of hashing
      // when a layout change touches 10,000 pages). Without the old hash, write: never skip a write on a guess.
      const hash = known?.length === length ? sha1(text) : undefined;
      this.#pages.set(file.path, { signature, length, hash });
      if (hash !== undefined && known?.hash === hash) continue;
      // Only pages get the live-reload script: feeds and sitemaps are served as the build writes them.
      const contents = file.path.endsWith('.html') ? injectLiveReload(text) : text;
      writes.push(() => this.#write(file.path, (full) => writeFile(full, contents)));
      urls.push(urlOf(file.path));
    }
    for (let i = 0; i < writes.length; i += WRITE_BATCH) {
      await Promise.all(writes.slice(i, i + WRITE_BATCH).map((write) => write()));
    }
  }

  /** Removes the directory. */
  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
