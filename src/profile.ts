import { performance } from 'node:perf_hooks';

/** Wall time by stage, for `--profile`: where a build's time went. */
export class Profile {
  readonly #stages = new Map<string, number>();
  readonly #started = performance.now();

  /** Runs `work` and adds its wall time to `stage`. */
  async time<T>(stage: string, work: () => Promise<T> | T): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.add(stage, performance.now() - start);
    }
  }

  /** Adds `ms` to `stage`. */
  add(stage: string, ms: number): void {
    this.#stages.set(stage, (this.#stages.get(stage) ?? 0) + ms);
  }

  /** A table, one stage a line in the order they first ran, with the share of the whole build. */
  report(): string {
    const total = performance.now() - this.#started;
    const rows = [...this.#stages, ['total', total] as const].map(
      ([stage, ms]) =>
        `  ${stage.padEnd(30)} ${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%`,
    );
    return ['newsroom: profile (wall time by stage)', ...rows].join('\n');
  }
}
