import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { watch } from 'chokidar';
import type { WatchEvent } from './watcher.js';

/** The folders of a site that a build reads (content/_data lives inside content/). */
const WATCHED = ['content', 'templates', 'public'] as const;

/** Editors' swap, backup and lock files: never content, so they never start a build. */
const EDITOR_TEMP = /(^\.#)|(~$)|(\.sw[a-p]$)|(^4913$)|(^\.DS_Store$)/;

/** How long the time of a file's last raw event is kept for, at least (see rawAt). */
const ECHO_MS = 60_000;

/** What the watcher thread tells the thread that started it. */
export type WatchMessage =
  | { readonly type: 'event'; readonly event: WatchEvent }
  | { readonly type: 'ready' }
  | { readonly type: 'caught-up'; readonly id: number }
  | { readonly type: 'failed'; readonly message: string };

/** What the thread that started the watcher may tell it. */
export type WatchCommand = { readonly type: 'close' } | { readonly type: 'catch-up'; readonly id: number };

/**
 * The watcher's own thread (see watchSite): chokidar reads a whole folder again after any event in it (its
 * handler.js, _handleRead: about 500 lstat calls and their callbacks for a folder of a year's releases), and on
 * the builder's thread that work landed in the middle of the build the save had started.
 */
function run(root: string, post: (message: WatchMessage) => void): void {
  const ignored = (file: string): boolean => {
    const relative = path.relative(root, file);
    if (relative === '') return false;
    const [top] = relative.split(path.sep);
    if (!(WATCHED as readonly string[]).includes(top ?? '')) return true;
    return EDITOR_TEMP.test(path.basename(file));
  };
  const report = (file: string, kind: string): void => {
    if (ignored(file)) return;
    const relative = path.relative(root, file).split(path.sep).join('/');
    post({ type: 'event', event: { file: relative, newFolder: kind === 'addDir', structural: kind !== 'change' } });
  };
  /** Files that had raw events reported, with the time of the last (performance.now()): their echoes are dropped. */
  const rawAt = new Map<string, number>();
  let prunedAt = 0;
  const watcher = watch(root, { ignoreInitial: true, followSymlinks: false, ignored, atomic: true });
  watcher.on('all', (kind, file) => {
    // Every change chokidar reports comes from raw events of the same file, reported below as they came. Its own
    // event follows them by 5 ms to over a second (it stats the file, or reads the whole folder again first):
    // reported again, it arrived while the build the raw event started was running, and made a second, useless
    // build. Only a new folder is news (its files can escape the raw events), and files chokidar found in one.
    if (kind !== 'addDir' && rawAt.has(file)) return;
    report(file, kind);
  });
  // chokidar drops a second 'change' of one file within 50 ms (its index.js, _emit), so a save that follows
  // another quickly would be missed. Its raw file-system events are not throttled: listen to them too.
  watcher.on('raw', (kind, name, details) => {
    const watched = (details as { watchedPath?: string } | undefined)?.watchedPath;
    if (watched === undefined) return;
    // A folder's watch names the child that changed; a file's watch names the file itself.
    const file = name && path.basename(watched) !== name ? path.join(watched, name) : watched;
    const now = performance.now();
    // Pruned at most once a minute, so a checkout of more files than that does not scan the map on every event.
    if (rawAt.size > 10_000 && now - prunedAt > ECHO_MS) {
      for (const [known, at] of rawAt) if (now - at > ECHO_MS) rawAt.delete(known);
      prunedAt = now;
    }
    rawAt.set(file, now);
    report(file, kind);
  });
  let ready = false;
  watcher.once('ready', () => {
    ready = true;
    post({ type: 'ready' });
  });
  // Before it is ready, an error means the site cannot be watched. After, chokidar reports errors of single
  // paths (one that went while it looked at it, say); the dev session's periodic sweep covers what they hide.
  watcher.on('error', (cause) => {
    if (!ready) post({ type: 'failed', message: cause instanceof Error ? cause.message : String(cause) });
  });
  parentPort?.on('message', (command: WatchCommand) => {
    if (command.type === 'close') void watcher.close().then(() => parentPort?.close());
    // Answered after this turn's file-system callbacks: events that were waiting when the question came are sent.
    else setImmediate(() => post({ type: 'caught-up', id: command.id }));
  });
}

if (parentPort) run((workerData as { root: string }).root, (message) => parentPort?.postMessage(message));
