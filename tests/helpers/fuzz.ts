import type fc from 'fast-check';

/**
 * fast-check's parameters for a property test: `runs` cases in `npm test`, `NEWSROOM_FUZZ_RUNS` times `scale` in
 * `npm run fuzz`. A failure prints its seed and path (fast-check's message); `NEWSROOM_FUZZ_SEED` and
 * `NEWSROOM_FUZZ_PATH` replay that case: `NEWSROOM_FUZZ_SEED=-123 NEWSROOM_FUZZ_PATH="4:1" npx vitest run <file>`.
 */
export function fuzzParameters<T>(runs: number, scale = 1): fc.Parameters<T> {
  const fuzz = process.env.NEWSROOM_FUZZ_RUNS;
  const seed = process.env.NEWSROOM_FUZZ_SEED;
  const path = process.env.NEWSROOM_FUZZ_PATH;
  return {
    numRuns: fuzz ? Math.max(1, Math.round(Number(fuzz) * scale)) : runs,
    endOnFailure: true,
    ...(seed !== undefined && { seed: Number(seed) }),
    ...(path !== undefined && { path }),
  };
}
