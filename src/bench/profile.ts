/**
 * Where the time of a training step goes: tf.profile's time per kernel. The
 * profiler's own bookkeeping inflates each kernel's time a little, so kernel
 * times are compared with each other and the step's wall time is taken from
 * unprofiled runs.
 */
import { tf } from '../engine/tf.js';
import { median } from './measure.js';
import { useKernels, type KernelSet } from './workloads.js';

/** Time per kernel name within one step. */
export interface KernelTime {
  name: string;
  /** Milliseconds per step, all calls together. */
  ms: number;
  /** Calls per step. */
  calls: number;
}

/** The profile of one kind of step with one kernel set. */
export interface StepProfile {
  /** What the step is, e.g. `bibae-step`. */
  step: string;
  kernels: KernelSet;
  batchSize: number;
  /** Median wall time of an unprofiled step, in milliseconds. */
  stepMs: number;
  /** Sum of every kernel's time per profiled step, in milliseconds. */
  kernelMs: number;
  /** Kernels, the slowest first. */
  byKernel: KernelTime[];
}

/** What to profile: a step, run after `set` is registered. */
export interface ProfiledStep {
  step: string;
  batchSize: number;
  run(): void | Promise<void>;
}

/**
 * Runs `s` once to warm up, `steps` times for the wall time, then `steps`
 * times under tf.profile, averaging each kernel's time.
 */
export async function profileStep(
  s: ProfiledStep,
  set: KernelSet,
  steps: number,
): Promise<StepProfile> {
  useKernels(set);
  await s.run();
  const wall: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    await s.run();
    wall.push(performance.now() - start);
  }

  const totals = new Map<string, KernelTime>();
  for (let i = 0; i < steps; i++) {
    const info = await tf.profile(() => s.run());
    for (const k of info.kernels) {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      const entry = totals.get(k.name) ?? { name: k.name, ms: 0, calls: 0 };
      entry.ms += ms / steps;
      entry.calls += 1 / steps;
      totals.set(k.name, entry);
    }
  }

  const byKernel = [...totals.values()].sort((a, b) => b.ms - a.ms);
  const kernelMs = byKernel.reduce((sum, k) => sum + k.ms, 0);
  const { step, batchSize } = s;
  return { step, kernels: set, batchSize, stepMs: median(wall), kernelMs, byKernel };
}
