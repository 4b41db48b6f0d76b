import { performance } from 'node:perf_hooks';

/**
 * A pause for long loops (loading or rendering thousands of files): every 50 ms or so it gives a promise to await,
 * which lets other events in, so Ctrl-C, the dev server's requests and file events are handled during a long build
 * rather than after it. Otherwise it gives undefined: `const wait = pause(); if (wait) await wait;` then costs the
 * loop nothing (a bare `await` on every item costs 10,000 microtasks on a large site).
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
