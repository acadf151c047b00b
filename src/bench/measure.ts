/**
 * Timing for the benchmark: one warm-up, then repetitions in which the kernel
 * sets take turns, so that load from other processes falls on both alike.
 */
import type { KernelSet } from './workloads.js';

/** Timings of one quantity with one kernel set. */
export interface Measurement {
  /** What was timed, e.g. `bibae-train`. */
  quantity: string;
  /** How many threads or processes, e.g. `1 thread`, `2 workers`. */
  setting: string;
  kernels: KernelSet | 'pytorch';
  /** Images processed in one repetition. */
  images: number;
  /** Seconds of each repetition, warm-up excluded. */
  seconds: number[];
  /** Images per second of the median repetition. */
  imagesPerSecond: number;
}

/** How to time one quantity. */
export interface Timed {
  quantity: string;
  setting: string;
  images: number;
  /** Switches this quantity's threads to a kernel set. */
  use(set: KernelSet): void | Promise<void>;
  /** One repetition; its result is dropped, a promise awaited. */
  run(): unknown;
}

/** The middle value (the upper one of an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Times `t` with each kernel set: one untimed warm-up round, then `reps`
 * rounds, each running every set once.
 */
export async function timeSets(
  t: Timed,
  sets: readonly KernelSet[],
  reps: number,
): Promise<Measurement[]> {
  const seconds = new Map<KernelSet, number[]>(sets.map((s) => [s, []]));
  for (let round = 0; round <= reps; round++) {
    for (const set of sets) {
      await t.use(set);
      const start = performance.now();
      await t.run();
      const elapsed = (performance.now() - start) / 1000;
      if (round > 0) seconds.get(set)?.push(elapsed);
    }
  }
  return sets.map((set) => {
    const s = seconds.get(set) ?? [];
    const { quantity, setting, images } = t;
    return {
      quantity,
      setting,
      kernels: set,
      images,
      seconds: s,
      imagesPerSecond: images / median(s),
    };
  });
}
