import { performance } from 'node:perf_hooks';

/** The longest a build waits for a file that looks half-written (see the constructor's `hold`). */
const HOLD_MAX_MS = 250;

/** What else a {@link RebuildQueue} may be told. */
export interface QueueOptions {
  /**
   * Whether a changed file looks half-written (an editor's save truncates the file, then writes it: the first
   * event can come before the text is there). While one does, the build waits, for its next event or at most
   * {@link HOLD_MAX_MS}.
   */
  readonly hold?: (file: string) => boolean;
  /**
   * The wait while a single file is waiting (an editor's save, where every millisecond shows), shorter than
   * `delayMs`, which applies once a second file has joined (a checkout or a copy: more may follow).
   */
  readonly soloDelayMs?: number;
  /**
   * Resolves once the watcher has passed on every event it had seen when called (it may run on another thread,
   * and lag behind under load). Awaited before each build: a file whose event was still on its way joins the
   * batch instead of starting a second build.
   */
  readonly caughtUp?: () => Promise<void>;
}

/** The longest a build waits for the watcher to catch up. */
const CATCH_UP_MAX_MS = 200;

/**
 * Batches file changes into builds: changes are gathered until no new file has changed for `delayMs`, so a
 * `git checkout` of 500 files gives one build. Never two builds at once: changes that arrive during a build start
 * exactly one more build after it.
 */
export class RebuildQueue {
  readonly #run: (changed: ReadonlySet<string>) => Promise<void>;
  readonly #delayMs: number;
  readonly #onError: (cause: unknown) => void;
  readonly #hold: (file: string) => boolean;
  readonly #soloDelayMs: number;
  readonly #caughtUp: (() => Promise<void>) | undefined;
  /** Waiting for the watcher to catch up before a build. */
  #syncing = false;
  /** When the waiting batch was first held back (see `hold`), to bound how long it waits. */
  #heldSince: number | undefined;
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
    { hold = () => false, soloDelayMs = delayMs, caughtUp }: QueueOptions = {},
  ) {
    this.#caughtUp = caughtUp;
    this.#run = run;
    this.#delayMs = delayMs;
    this.#onError = onError;
    this.#hold = hold;
    this.#soloDelayMs = Math.min(soloDelayMs, delayMs);
  }

  /** The wait before the build of what is pending now. */
  get #wait(): number {
    return this.#pending.size > 1 ? this.#delayMs : this.#soloDelayMs;
  }

  /** Notes a changed file (root-relative) and schedules a build; with no file, schedules a build anyway. */
  add(file?: string): void {
    if (this.#closed) return;
    // One save gives a file several events over a few milliseconds: only a file not yet waiting makes the wait
    // start again, so a save is built a fixed time after its first event, not its last.
    const again = file !== undefined && this.#pending.has(file);
    if (file !== undefined) this.#pending.add(file);
    this.#requested = true;
    if (this.#running || this.#syncing || (again && this.#timer)) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#flush(), this.#wait);
  }

  async #flush(): Promise<void> {
    this.#timer = undefined;
    if (this.#running || this.#closed) return;
    const now = performance.now();
    if ((this.#heldSince === undefined || now - this.#heldSince < HOLD_MAX_MS) && [...this.#pending].some(this.#hold)) {
      this.#heldSince ??= now;
      this.#timer = setTimeout(() => this.#flush(), this.#wait);
      return;
    }
    if (this.#caughtUp) {
      const files = this.#pending.size;
      this.#syncing = true;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#caughtUp().catch(() => undefined),
        new Promise((resolve) => {
          timer = setTimeout(resolve, CATCH_UP_MAX_MS);
        }),
      ]);
      clearTimeout(timer);
      this.#syncing = false;
      if (this.#closed) return;
      // New files came in meanwhile: more may follow (a checkout the watcher is still reporting); wait again.
      if (this.#pending.size > files) {
        this.#timer = setTimeout(() => this.#flush(), this.#wait);
        return;
      }
    }
    this.#heldSince = undefined;
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

  /** Whether a build is running or waiting. */
  get busy(): boolean {
    return this.#running !== undefined || this.#timer !== undefined || this.#syncing || this.#requested;
  }

  /** Resolves once no build is running or waiting. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
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
