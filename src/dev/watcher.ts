import { Worker } from 'node:worker_threads';
import type { WatchCommand, WatchMessage } from './watch-thread.js';

/** What the watcher reports: a root-relative path with forward slashes, and what kind of change it was. */
export interface WatchEvent {
  readonly file: string;
  /** A folder appeared (files written into it right away can escape chokidar: look again soon). */
  readonly newFolder: boolean;
  /** Something other than a file's content changed: a file or folder appeared, went or moved. */
  readonly structural: boolean;
}

/** A running watch; close it to release its file handles. */
export interface SiteWatcher {
  /** Resolves once every event the watcher had seen when called has been passed on. */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The watcher thread's module, always the compiled one in lib/ (also when the caller runs from src/ under the
 * tests, which `npm test` compiles first): worker threads load plain JavaScript.
 */
const THREAD = new URL('../../lib/dev/watch-thread.js', import.meta.url);

/**
 * Watches the site's content/, templates/ and public/ folders with chokidar, on a thread of its own so that its
 * work never delays a build (see watch-thread.ts). Folders created later are seen too, as the site root itself is
 * watched with everything else ignored. Symlinks are not followed. Events may repeat: the caller batches them.
 */
export async function watchSite(root: string, onEvent: (event: WatchEvent) => void): Promise<SiteWatcher> {
  const thread = new Worker(THREAD, { workerData: { root }, name: 'newsroom watcher' });
  // Not events.once: that rejects when the thread fails, and the thread's failure is reported below.
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  const waiting = new Map<number, () => void>();
  let asked = 0;
  // A thread that stopped (closed, or failed after it was ready) has nothing more to pass on.
  let stopped = false;
  void exited.then(() => {
    stopped = true;
    for (const resolve of waiting.values()) resolve();
    waiting.clear();
  });
  await new Promise<void>((resolve, reject) => {
    thread.on('message', (message: WatchMessage) => {
      if (message.type === 'event') onEvent(message.event);
      else if (message.type === 'caught-up') {
        waiting.get(message.id)?.();
        waiting.delete(message.id);
      } else if (message.type === 'ready') resolve();
      else reject(new Error(message.message));
    });
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the file watcher stopped (exit code ${code})`)));
  }).catch(async (cause: unknown) => {
    await thread.terminate();
    throw cause;
  });
  let closing: Promise<void> | undefined;
  return {
    caughtUp() {
      if (closing || stopped) return Promise.resolve();
      const id = ++asked;
      thread.postMessage({ type: 'catch-up', id } satisfies WatchCommand);
      return new Promise((resolve) => waiting.set(id, resolve));
    },
    close() {
      closing ??= (async () => {
        thread.postMessage({ type: 'close' } satisfies WatchCommand);
        // The thread ends once chokidar has released its watches; a thread stuck for a second is stopped.
        const timer = setTimeout(() => void thread.terminate(), 1000);
        await exited;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
