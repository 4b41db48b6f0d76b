/** The environment variable that makes `newsroom dev` answer SIGUSR2 with its memory use (see `npm run soak`). */
export const MEMORY_REPORT_ENV = 'NEWSROOM_DEV_MEMORY';

/** The memory use of this process, after a full garbage collection when Node runs with `--expose-gc`. */
export function memoryLine(): string {
  // Present only under `node --expose-gc`; not part of @types/node's globals.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return (
    `newsroom: memory rss=${rss} heapUsed=${heapUsed} heapTotal=${heapTotal} external=${external} ` +
    `arrayBuffers=${arrayBuffers} gc=${gc ? 'forced' : 'none'}`
  );
}

/**
 * Prints {@link memoryLine} on every SIGUSR2, so a soak test can sample a running dev server's memory fairly (after a
 * forced collection) without an inspector. Returns a function that stops listening.
 */
export function reportMemoryOnSignal(print: (line: string) => void): () => void {
  const report = (): void => print(memoryLine());
  process.on('SIGUSR2', report);
  return () => {
    process.off('SIGUSR2', report);
  };
}
