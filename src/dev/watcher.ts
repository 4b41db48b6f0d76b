import path from 'node:path';
import { watch } from 'chokidar';

/** The folders of a site that a build reads (content/_data lives inside content/). */
const WATCHED = ['content', 'templates', 'public'] as const;

/** Editors' swap, backup and lock files: never content, so they never start a build. */
const EDITOR_TEMP = /(^\.#)|(~$)|(\.sw[a-p]$)|(^4913$)|(^\.DS_Store$)/;

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
  close(): Promise<void>;
}

/**
 * Watches the site's content/, templates/ and public/ folders with chokidar (folders created later are seen too,
 * as the site root itself is watched with everything else ignored). Symlinks are not followed. Events may repeat:
 * the caller batches them.
 */
export async function watchSite(root: string, onEvent: (event: WatchEvent) => void): Promise<SiteWatcher> {
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
    onEvent({ file: relative, newFolder: kind === 'addDir', structural: kind !== 'change' });
  };
  const watcher = watch(root, { ignoreInitial: true, followSymlinks: false, ignored, atomic: true });
  watcher.on('all', (kind, file) => report(file, kind));
  // chokidar drops a second 'change' of one file within 50 ms (its index.js, _emit), so a save that follows
  // another quickly would be missed. Its raw file-system events are not throttled: listen to them too.
  watcher.on('raw', (kind, name, details) => {
    const watched = (details as { watchedPath?: string } | undefined)?.watchedPath;
    if (watched === undefined) return;
    // A folder's watch names the child that changed; a file's watch names the file itself.
    report(name && path.basename(watched) !== name ? path.join(watched, name) : watched, kind);
  });
  await new Promise<void>((resolve, reject) => {
    watcher.once('ready', resolve);
    watcher.once('error', reject);
  });
  return { close: () => watcher.close() };
}
