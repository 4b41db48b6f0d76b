import { performance } from 'node:perf_hooks';

/**
 * A pause for long loops (loading or rendering thousands of files): lets other events in every 50 ms or so, so
 * Ctrl-C, the dev server's requests and file events are handled during a long build rather than after it.
 */
export function pacer(): () => Promise<void> | undefined {
  let last = performance.now();
  return () => {
    if (performance.now() - last < 50) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        last = performance.now();
        resolve();
      }),
    );
  };
}
