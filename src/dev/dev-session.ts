import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { compileSite } from '../build.js';
import { BuildCache } from '../build-cache.js';
import { DiskCache } from '../cache/disk-cache.js';
import { type Listing, listSources } from '../content/discover.js';
import { type Diagnostic, formatDiagnostic, type Streams } from '../diagnostics.js';
import { type DevChange, DevOutput } from './dev-output.js';
import { RebuildQueue } from './rebuild-queue.js';
import { type DevServer, type LiveEvent, startServer } from './server.js';
import { type SiteWatcher, type WatchEvent, watchSite } from './watcher.js';

/** How to run `newsroom dev`. */
export interface DevOptions {
  readonly root: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly includeDrafts: boolean;
  readonly baseUrl?: string | undefined;
  /** A fixed moment to judge embargoes against; the clock when undefined (embargoes then lift while it runs). */
  readonly now?: Date | undefined;
  /** How long files must be quiet before a build starts. */
  readonly debounceMs?: number;
  /**
   * Whether to watch with chokidar (default true). Without it, changes are found only by the sweep that stats every
   * source every `verifyEveryMs`: slower, but it works where file events do not (some network and container mounts).
   */
  readonly watch?: boolean;
  /** How often every source is checked against what the last build read (default 5 s). */
  readonly verifyEveryMs?: number;
  /** Where progress (`out`) and diagnostics (`err`) go, a line at a time. */
  readonly streams: Streams;
  /** The persistent cache of loaded files shared with `newsroom build` (none when undefined). */
  readonly cacheDir?: string | undefined;
}

/** One build of the dev loop, as reported to listeners. */
export interface DevBuild {
  readonly number: number;
  readonly ok: boolean;
  readonly diagnostics: readonly Diagnostic[];
  readonly change: DevChange | undefined;
  /** Pages rendered; the others' inputs were unchanged. */
  readonly rendered: number;
  readonly milliseconds: number;
}

/**
 * Whether a file is empty and was written in the last second: the state between an editor's truncate and its
 * write. No source is valid empty, so waiting a little for the text costs nothing, and building it would flash an
 * error on every open page.
 */
function halfWritten(absolute: string): boolean {
  try {
    const info = statSync(absolute);
    return info.size === 0 && Date.now() - info.mtimeMs < 1000;
  } catch {
    return false;
  }
}

/** Quiet time before a build: long enough to gather a `git checkout`, short enough not to be felt. */
const DEFAULT_DEBOUNCE_MS = 20;
/**
 * The wait while one file alone changed (an editor's save): its events come within a few milliseconds, and a file
 * caught between truncation and write is held back anyway (see halfWritten).
 */
const SOLO_DEBOUNCE_MS = 8;
/** A folder that appears may get files whose events chokidar misses (its issue #1422): look again after this. */
const NEW_FOLDER_RESCAN_MS = 250;
/** After a build, and then this often, the sources are checked against what the watcher said (see #verify). */
const VERIFY_AFTER_BUILD_MS = 400;
const VERIFY_EVERY_MS = 5_000;
/** Sources stat'ed by the sweep per turn of the event loop, so a save that arrives meanwhile is built at once. */
const VERIFY_CHUNK = 500;
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `newsroom dev`: builds the site into a temporary directory, serves it, watches the sources and rebuilds what a
 * change touches, telling open pages to reload. A failed build keeps the last good site served and shows its
 * diagnostics on every page.
 */
export class DevSession {
  readonly #options: DevOptions;
  readonly #cache: BuildCache;
  readonly #output: DevOutput;
  readonly #queue: RebuildQueue;
  readonly #session = randomBytes(6).toString('hex');
  readonly #listeners = new Set<(build: DevBuild) => void>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #server: DevServer | undefined;
  #watcher: SiteWatcher | undefined;
  #embargoTimer: NodeJS.Timeout | undefined;
  #verifyTimer: NodeJS.Timeout | undefined;
  #verifyInterval: NodeJS.Timeout | undefined;
  /** The last walk of the sources, reused while the watcher reports only content changes. */
  #listing: Listing | undefined;
  /** Whether a file or folder appeared, went or moved since the last build started. */
  #structural = true;
  #count = 0;
  #errors: readonly string[] = [];

  private constructor(options: DevOptions, output: DevOutput) {
    this.#options = options;
    this.#cache = new BuildCache({
      disk: options.cacheDir === undefined ? undefined : new DiskCache(options.cacheDir),
    });
    this.#output = output;
    this.#queue = new RebuildQueue(
      (changed) => this.#build(changed),
      options.debounceMs ?? DEFAULT_DEBOUNCE_MS,
      (cause) => {
        // Not an editor's mistake in a file (those are diagnostics) but the machine's: a folder that cannot be
        // read, a full disk. Said on the terminal and on every page, like a failed build.
        const message = cause instanceof Error ? cause.message : String(cause);
        const line = `newsroom: the build stopped: ${message}; still serving the last good site`;
        options.streams.err(line);
        this.#errors = [line];
        this.#server?.broadcast({ type: 'state', build: this.#count, errors: this.#errors });
      },
      {
        hold: (file) => halfWritten(path.join(options.root, file)),
        soloDelayMs: Math.min(SOLO_DEBOUNCE_MS, options.debounceMs ?? DEFAULT_DEBOUNCE_MS),
        caughtUp: () => this.#watcher?.caughtUp() ?? Promise.resolve(),
      },
    );
  }

  /** Builds once, then serves and watches. Rejects (with nothing left running) if the port cannot be used. */
  static async start(options: DevOptions): Promise<DevSession> {
    const session = new DevSession(options, await DevOutput.create());
    try {
      if (options.watch !== false) {
        session.#watcher = await watchSite(options.root, (event) => session.#changed(event));
      }
      session.#queue.add();
      await session.#queue.idle();
      session.#verifyInterval = setInterval(() => void session.#verify(), options.verifyEveryMs ?? VERIFY_EVERY_MS);
      session.#server = await startServer({
        dir: session.#output.dir,
        host: options.host,
        port: options.port,
        greeting: () => session.#greeting(),
      });
    } catch (cause) {
      await session.close();
      throw cause;
    }
    return session;
  }

  /** The served site's address. */
  get url(): string {
    if (!this.#server) throw new Error('the dev server is not running');
    return this.#server.url;
  }

  /** The directory being served. */
  get outDir(): string {
    return this.#output.dir;
  }

  /** Calls `listener` after every build. Returns a function that removes it. */
  onBuild(listener: (build: DevBuild) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once no build is running or waiting. */
  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /** Asks for a build as a watcher event would (`file` root-relative), e.g. to test without file events. */
  request(file?: string): void {
    this.#queue.add(file);
  }

  #changed({ file, newFolder, structural }: WatchEvent): void {
    if (structural) this.#structural = true;
    this.#queue.add(file);
    if (newFolder) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#queue.add();
      }, NEW_FOLDER_RESCAN_MS);
      this.#timers.add(timer);
    }
  }

  #greeting(): LiveEvent[] {
    return [
      { type: 'hello', session: this.#session },
      { type: 'state', build: this.#count, errors: this.#errors },
    ];
  }

  async #build(changed: ReadonlySet<string>): Promise<void> {
    const started = performance.now();
    const number = ++this.#count;
    const now = this.#options.now ?? new Date();
    const options = {
      root: this.#options.root,
      baseUrl: this.#options.baseUrl,
      includeDrafts: this.#options.includeDrafts,
      now,
    };
    // Only content changed: reuse the last walk and read just the changed files. #verify catches what a watcher
    // may miss; a file that went meanwhile makes the fast path fail, and the full walk runs instead.
    const listing = this.#structural ? undefined : this.#listing;
    this.#structural = false;
    const compiled = await compileSite(options, this.#cache, { changed, listing }).catch((cause: unknown) => {
      if (listing === undefined) throw cause;
      return compileSite(options, this.#cache, { changed });
    });
    this.#listing = compiled.listing;
    // Pages are announced as soon as they are written, before the feeds (see DevOutput.apply).
    const applied = await this.#output.apply(compiled, changed, (change) => {
      // Only a build with no errors writes: a page reloaded now must not be greeted with the last build's errors.
      this.#errors = [];
      this.#server?.broadcast({ type: 'state', build: number, errors: this.#errors });
      this.#announce(number, change);
    });
    const milliseconds = Math.round(performance.now() - started);
    const { pending, ...rest } = applied;
    const build: DevBuild = { number, ok: applied.change !== undefined, ...rest, milliseconds };
    this.#report(build, pending);
    if (this.#options.now === undefined) this.#scheduleEmbargoes(compiled.releases, now);
    clearTimeout(this.#verifyTimer);
    this.#verifyTimer = setTimeout(() => void this.#verify(), VERIFY_AFTER_BUILD_MS);
    for (const listener of this.#listeners) listener(build);
  }

  /**
   * Walks and stats every source and compares with what the last build read, asking for a build if anything
   * differs: a safety net under the watcher (an event lost to an inotify queue overflow, say), so no page stays
   * stale even then. About 60 ms at 10,000 releases, when nothing is building, in slices of {@link VERIFY_CHUNK}
   * files; it gives way to a build that is asked for meanwhile (the build arms it again when it ends).
   */
  async #verify(): Promise<void> {
    const known = this.#listing;
    if (!known) return;
    await this.#queue.idle();
    const now = await listSources(this.#options.root).catch(() => undefined);
    const overtaken = () => this.#listing !== known || this.#queue.busy;
    if (!now || overtaken()) return;
    // Walks list files sorted, so two listings of the same files are equal item by item.
    const files = (l: Listing): string[] =>
      [...l.news, ...l.pages].map((f) => f.absolute).concat(l.assets.map((a) => a.absolutePath));
    const before = files(known);
    const after = files(now);
    const moved = before.length !== after.length || before.some((file, i) => file !== after[i]);
    const byAbsolute = new Map([...now.news, ...now.pages].map((f) => [f.absolute, f.relative]));
    const sources = [...byAbsolute.keys()];
    const stale: string[] = [];
    for (let i = 0; i < sources.length; i += VERIFY_CHUNK) {
      if (i > 0) {
        await nextTurn();
        if (overtaken()) return;
      }
      stale.push(...this.#cache.texts.stale(sources.slice(i, i + VERIFY_CHUNK)));
    }
    if (!moved && stale.length === 0) return;
    if (moved) this.#structural = true;
    for (const absolute of stale) this.#queue.add(byAbsolute.get(absolute));
    this.#queue.add();
  }

  /** Tells the browsers of files this build changed, if any did. */
  #announce(number: number, change: DevChange | undefined): void {
    if (change && (change.urls.length > 0 || change.css.length > 0 || change.otherAssets)) {
      this.#server?.broadcast({
        type: 'change',
        build: number,
        urls: change.urls,
        css: change.css,
        reload: change.otherAssets,
      });
    }
  }

  /** Reports a finished build: in the terminal, and to the browsers its errors and what was not yet announced. */
  #report(build: DevBuild, pending: DevChange | undefined): void {
    const { out, err } = this.#options.streams;
    const lines = build.diagnostics.map(formatDiagnostic);
    for (const line of lines) err(line);
    const errors = build.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = build.diagnostics.length - errors;
    this.#errors = build.ok ? [] : lines;
    if (build.change) {
      const changed = build.change.urls.length + build.change.css.length;
      out(
        `newsroom: built in ${build.milliseconds} ms: ${changed} file${changed === 1 ? '' : 's'} changed` +
          `, ${build.rendered} page${build.rendered === 1 ? '' : 's'} rendered${warnings ? ` (${warnings} warnings)` : ''}`,
      );
    } else {
      err(
        `newsroom: build failed (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}); still serving the last good site`,
      );
    }
    this.#server?.broadcast({ type: 'state', build: build.number, errors: this.#errors });
    this.#announce(build.number, pending);
  }

  /** Builds again when the next embargo lifts, so a preview left open publishes on time. */
  #scheduleEmbargoes(releases: readonly { embargo: string | undefined }[], now: Date): void {
    clearTimeout(this.#embargoTimer);
    let next = Number.POSITIVE_INFINITY;
    for (const { embargo } of releases) {
      const lifts = embargo ? Date.parse(embargo) : Number.NaN;
      if (lifts > now.getTime() && lifts < next) next = lifts;
    }
    if (!Number.isFinite(next)) return;
    this.#embargoTimer = setTimeout(() => this.#queue.add(), Math.min(next - now.getTime() + 1, MAX_TIMER_MS));
  }

  /** Stops watching and serving, waits for a running build, and removes the temporary directory. */
  async close(): Promise<void> {
    clearTimeout(this.#embargoTimer);
    clearTimeout(this.#verifyTimer);
    clearInterval(this.#verifyInterval);
    for (const timer of this.#timers) clearTimeout(timer);
    await this.#watcher?.close();
    await this.#queue.close();
    await this.#server?.close();
    await this.#cache.close();
    await this.#output.dispose();
  }
}
