/**
 * Batches file changes into builds: changes are gathered until the files have been quiet for `delayMs`, so a
 * `git checkout` of 500 files gives one build. Never two builds at once: changes that arrive during a build start
 * exactly one more build after it.
 */
export class RebuildQueue {
  readonly #run: (changed: ReadonlySet<string>) => Promise<void>;
  readonly #delayMs: number;
  readonly #onError: (cause: unknown) => void;
  #pending = new Set<string>();
  #requested = false;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #idle: (() => void)[] = [];
  #closed = false;

  constructor(
    run: (changed: ReadonlySet<string>) => Promise<void>,
    delayMs: number,
    onError: (cause: unknown) => void,
  ) {
    this.#run = run;
    this.#delayMs = delayMs;
    this.#onError = onError;
  }

  /** Notes a changed file (root-relative) and schedules a build; with no file, schedules a build anyway. */
  add(file?: string): void {
    if (this.#closed) return;
    // One save gives a file several events over 10-20 ms (the raw inotify ones, then chokidar's own): only a file
    // not yet waiting makes the wait start again, so a save is built 20 ms after its first event, not its last.
    const again = file !== undefined && this.#pending.has(file);
    if (file !== undefined) this.#pending.add(file);
    this.#requested = true;
    if (this.#running || (again && this.#timer)) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#flush(), this.#delayMs);
  }

  async #flush(): Promise<void> {
    this.#timer = undefined;
    if (this.#running || this.#closed) return;
    const batch = this.#pending;
    this.#pending = new Set();
    this.#requested = false;
    this.#running = this.#run(batch);
    try {
      await this.#running;
    } catch (cause) {
      this.#onError(cause);
    } finally {
      this.#running = undefined;
    }
    if (this.#requested) this.add();
    else this.#settle();
  }

  #settle(): void {
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Resolves once no build is running or waiting. */
  idle(): Promise<void> {
    if (!this.#running && !this.#timer && !this.#requested) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops scheduling builds and waits for the one running, if any. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#requested = false;
    await this.#running?.catch(() => undefined);
    this.#settle();
  }
}
