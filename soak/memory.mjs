// The dev server's memory over a soak: sampled while the edits run, then reduced to the growth the goal judges.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { askMemory } from './dev-process.mjs';
import { median, procMemory } from './probes.mjs';

/**
 * Samples the server's memory until `stop()`: /proc every second (the raw peak), and the server's own figures after
 * a forced GC every 5 s. Each sample's `t` is in ms since `started`.
 */
export function sampleMemory(dev, started) {
  const samples = [];
  const procSamples = [];
  let sampling = true;
  const sampler = (async () => {
    let lastGc = 0;
    while (sampling) {
      const t = performance.now() - started;
      procSamples.push({ t, ...(await procMemory(dev.child.pid)) });
      if (t - lastGc >= 5_000) {
        lastGc = t;
        const memory = await askMemory(dev);
        if (memory) samples.push({ t: performance.now() - started, ...memory });
      }
      await sleep(1_000);
    }
  })();
  const stop = async () => {
    sampling = false;
    await sampler;
  };
  return { samples, procSamples, stop };
}

/**
 * Two measures of growth after warm-up. At rest (the goal): after a forced GC with no build running, right after
 * warm-up (`rest`) and once the server settled at the end (`final`), the same state twice. Under load (shown too):
 * the medians of the post-GC samples of the first window after the pause and of the last window of edits; these
 * include whatever the build running at each sample holds (a layout edit re-renders every page), so they swing by
 * tens of MB.
 */
export function memoryGrowth({ samples, procSamples }, rest, final, editsMs) {
  const window = Math.min(60_000, (editsMs - rest.to) / 3);
  const inWindow = (from, to) => samples.filter((s) => s.t >= from && s.t < to);
  const first = inWindow(rest.to, rest.to + window);
  const last = inWindow(editsMs - window, editsMs + 1);
  const baseline = median(first.map((s) => s.rss));
  const end = median(last.map((s) => s.rss));
  const afterWarmup = samples.filter((s) => s.t >= rest.to);
  return {
    restGrowth: final.rss - rest.baseline.rss,
    restHeapGrowth: final.heapUsed - rest.baseline.heapUsed,
    window,
    first,
    last,
    baseline,
    end,
    growth: end - baseline,
    heapGrowth: median(last.map((s) => s.heapUsed)) - median(first.map((s) => s.heapUsed)),
    peakGc: Math.max(...afterWarmup.map((s) => s.rss)),
    peakRaw: Math.max(...procSamples.map((s) => s.rss)),
    hwm: Math.max(...procSamples.map((s) => s.peak)),
  };
}
