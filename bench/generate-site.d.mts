/** Types for the tests, which generate sites with the benchmark's generator. */
export const REPO_ROOT: string;
/** mulberry32: a seeded PRNG giving numbers in [0, 1), the same sequence for the same seed. */
export function prng(seed: number): () => number;
/** Writes a site of `count` IOM-style releases into `dir`, the same bytes for the same size and seed. */
export function generateSite(dir: string, count: number, seed?: number): Promise<string[]>;
