/**
 * Benchmark of semipriv's wasm kernels against the stock TensorFlow.js ones:
 * each kernel on the shapes of a batch-64 28×28 BIB-AE and of the test grid,
 * then whole BIB-AE training steps with either set, and the time per kernel
 * within a step.
 *
 * Run after `npm run build`:
 *
 *     node dist/bench/kernels.js [--reps 15] [--steps 8]
 *
 * Times are medians in milliseconds. Wasm kernels finish before they return,
 * so a call is timed without reading its result back. The two sets alternate
 * call by call, so that load from other processes hits both alike. The stock
 * backend has no Conv2DBackpropFilter, so the stock training step borrows
 * semipriv's.
 */
import { parseArgs } from 'node:util';

import * as kernels from '../engine/kernels/index.js';
import { tf, type Tensor } from '../engine/tf.js';
import { SemiprivError } from '../errors.js';
import { BibAe, DEFAULT_BIBAE_OPTIONS } from '../model/bibae.js';
import { createRng } from '../random.js';
import { formatTable } from '../report/table.js';

type KernelSet = 'stock' | 'semipriv';

/**
 * Switches the registered kernels; the stock set keeps semipriv's filter
 * gradient if asked.
 */
function use(set: KernelSet, borrowFilterGradient = false): void {
  if (set === 'semipriv') {
    kernels.registerWasmKernels();
    return;
  }
  kernels.unregisterWasmKernels();
  if (borrowFilterGradient) {
    tf.registerKernel(kernels.conv2dBackpropFilterConfig);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function ms(value: number | undefined): string {
  return value === undefined ? 'missing' : value.toFixed(2);
}

/** One kernel call to time: fresh inputs every call, as in training. */
interface Case {
  kernel: string;
  shape: string;
  inputs: () => Tensor[];
  run: (...xs: Tensor[]) => Tensor;
}

function timeCall(c: Case): number {
  const xs = c.inputs();
  const start = performance.now();
  const y = c.run(...xs);
  const elapsed = performance.now() - start;
  tf.dispose([y, ...xs]);
  return elapsed;
}

/**
 * Median time of `c` with each kernel set; undefined where the stock set lacks
 * the kernel.
 */
type Times = Record<KernelSet, number | undefined>;

function timeCase(c: Case, reps: number): Times {
  const times: Record<KernelSet, number[]> = { stock: [], semipriv: [] };
  let stockMissing = false;
  for (let i = 0; i < reps + 2; i++) {
    for (const set of ['stock', 'semipriv'] as const) {
      if (set === 'stock' && stockMissing) continue;
      use(set);
      let t: number;
      try {
        t = timeCall(c);
      } catch (error) {
        if (set === 'semipriv') throw error;
        stockMissing = true;
        continue;
      }
      // the first two calls warm caches and the JIT
      if (i >= 2) times[set].push(t);
    }
  }
  return {
    stock: stockMissing ? undefined : median(times.stock),
    semipriv: median(times.semipriv),
  };
}

/** Batch, image size, input and output channels, kernel size, stride. */
type Conv = [number, number, number, number, number, number];

/**
 * Training shapes first (batch 64, 28×28, 4×4 stride 2), then shapes of the
 * test grid.
 */
const CONVS: { conv: Conv; pad: 'same' | 'valid' }[] = [
  { conv: [64, 28, 1, 32, 4, 2], pad: 'same' },
  { conv: [64, 14, 32, 64, 4, 2], pad: 'same' },
  { conv: [3, 28, 8, 8, 5, 1], pad: 'same' },
  { conv: [3, 14, 8, 3, 3, 2], pad: 'valid' },
  { conv: [3, 9, 3, 8, 4, 2], pad: 'same' },
];

function convCases(): Case[] {
  const cases: Case[] = [];
  for (const { conv, pad } of CONVS) {
    const [batch, size, inC, outC, k, s] = conv;
    const xShape: [number, number, number, number] = [batch, size, size, inC];
    const filterShape: [number, number, number, number] = [k, k, inC, outC];
    const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, s, 1, pad);
    const { outShape } = info;
    const shape = `${xShape.join('×')} k${k} s${s} ${pad} →${outC}`;
    const attrs = { strides: s, pad, dataFormat: 'NHWC' };
    cases.push(
      {
        kernel: 'Conv2D (reference)',
        shape,
        inputs: () => [tf.randomNormal(xShape), tf.randomNormal(filterShape)],
        run: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, pad),
      },
      {
        kernel: 'Conv2DBackpropFilter',
        shape,
        inputs: () => [tf.randomNormal(xShape), tf.randomNormal(outShape)],
        run: (x, dy) => {
          const filterAttrs = { ...attrs, filterShape };
          const engine = tf.engine();
          return engine.runKernel('Conv2DBackpropFilter', { x, dy }, filterAttrs) as Tensor;
        },
      },
      {
        kernel: 'Conv2DBackpropInput',
        shape,
        inputs: () => [tf.randomNormal(outShape), tf.randomNormal(filterShape)],
        run: (dy, filter) => {
          const inputAttrs = { ...attrs, inputShape: xShape };
          const engine = tf.engine();
          return engine.runKernel('Conv2DBackpropInput', { dy, filter }, inputAttrs) as Tensor;
        },
      },
    );
  }
  return cases;
}

/**
 * The products of the BIB-AE's dense layers: forward, input gradient, weight
 * gradient.
 */
function matMulCases(): Case[] {
  const cases: Case[] = [];
  const layers = [
    [64, 3136, 128],
    [64, 128, 3136],
    [64, 256, 256],
    [64, 3136, 1],
  ];
  for (const [m, k, n] of layers) {
    const products: [string, number[], number[], boolean, boolean][] = [
      ['x·W', [m, k], [k, n], false, false],
      ['dy·Wᵀ', [m, n], [k, n], false, true],
      ['xᵀ·dy', [m, k], [m, n], true, false],
    ];
    for (const [name, a, b, ta, tb] of products) {
      cases.push({
        kernel: 'BatchMatMul',
        shape: `${name} ${a.join('×')}, ${b.join('×')}`,
        inputs: () => [tf.randomNormal(a), tf.randomNormal(b)],
        run: (x, y) => tf.matMul(x, y, ta, tb),
      });
    }
  }
  return cases;
}

function elementwiseCases(): Case[] {
  const shape = [64, 14, 14, 32];
  const label = shape.join('×');
  const normal = () => [tf.randomNormal(shape)];
  return [
    {
      kernel: 'LeakyRelu',
      shape: label,
      inputs: normal,
      run: (x) => tf.leakyRelu(x, 0.2),
    },
    {
      kernel: 'LeakyRelu gradient',
      shape: label,
      inputs: () => [tf.randomNormal(shape), tf.randomNormal(shape)],
      run: (x, dy) => tf.grad((t: Tensor) => tf.leakyRelu(t, 0.2))(x, dy),
    },
    {
      kernel: 'MaxPoolGrad',
      shape: '64×28×28×32 → 14×14',
      inputs: () => [tf.randomNormal([64, 28, 28, 32]), tf.randomNormal([64, 14, 14, 32])],
      run: (x, dy) => tf.grad((t: Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'same'))(x, dy),
    },
  ];
}

/**
 * Median milliseconds of BIB-AE training steps with each set, and one profiled
 * step each.
 */
async function trainingSteps(steps: number) {
  const rng = createRng(0);
  const model = new BibAe(DEFAULT_BIBAE_OPTIONS, rng);
  const x = tf.randomUniform([64, 28, 28, 1]) as tf.Tensor4D;
  const times: Record<KernelSet, number[]> = { stock: [], semipriv: [] };
  const profiles: Record<KernelSet, Map<string, number>> = {
    stock: new Map(),
    semipriv: new Map(),
  };
  for (let i = 0; i < steps + 1; i++) {
    for (const set of ['stock', 'semipriv'] as const) {
      use(set, true);
      const start = performance.now();
      model.trainStep(x, rng);
      if (i > 0) times[set].push(performance.now() - start);
    }
  }
  // kernel times averaged over a few profiled steps
  const profiled = 3;
  for (let i = 0; i < profiled; i++) {
    for (const set of ['stock', 'semipriv'] as const) {
      use(set, true);
      const info = await tf.profile(() => {
        model.trainStep(x, rng);
      });
      for (const k of info.kernels) {
        const sum = profiles[set].get(k.name) ?? 0;
        profiles[set].set(k.name, sum + (k.kernelTimeMs as number) / profiled);
      }
    }
  }
  model.dispose();
  x.dispose();
  const stock = median(times.stock);
  return { stock, semipriv: median(times.semipriv), profiles };
}

function speedUp(t: Times): string {
  if (t.stock === undefined || t.semipriv === undefined) return '';
  return `${(t.stock / t.semipriv).toFixed(1)}×`;
}

/** The kernels that take longest in a stock step, with both sets' times. */
function profileRows(profiles: Record<KernelSet, Map<string, number>>) {
  const { stock, semipriv } = profiles;
  const names = [...new Set([...stock.keys(), ...semipriv.keys()])];
  const stockMs = (name: string) => stock.get(name) ?? 0;
  return names
    .sort((a, b) => stockMs(b) - stockMs(a))
    .slice(0, 16)
    .map((name) => [name, ms(stockMs(name)), ms(semipriv.get(name) ?? 0)]);
}

/** A positive whole number from the command line. */
function count(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    const got = `received "${value}"`;
    throw new SemiprivError('SP_OPTION', `${flag}: expected a positive integer, ${got}`);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      reps: { type: 'string', default: '15' },
      steps: { type: 'string', default: '8' },
    },
  });
  const reps = count(values.reps, '--reps');
  const steps = count(values.steps, '--steps');
  await tf.setBackend('wasm');

  // each kernel alone
  const rows: string[][] = [];
  for (const c of [...convCases(), ...matMulCases(), ...elementwiseCases()]) {
    const t = timeCase(c, reps);
    rows.push([c.kernel, c.shape, ms(t.stock), ms(t.semipriv), speedUp(t)]);
  }
  const headers = ['kernel', 'shape', 'stock ms', 'semipriv ms', 'speed-up'];
  process.stdout.write(`${formatTable(headers, rows)}\n\n`);

  // whole training steps, then the kernels within one
  const step = await trainingSteps(steps);
  const label = 'BIB-AE training step, batch 64';
  const summary = [[label, ms(step.stock), ms(step.semipriv)]];
  const stepHeaders = ['', 'stock ms', 'semipriv ms'];
  process.stdout.write(`${formatTable(stepHeaders, summary)}\n\n`);
  const kernelHeaders = ['kernel, per step', 'stock ms', 'semipriv ms'];
  const kernelRows = profileRows(step.profiles);
  process.stdout.write(`${formatTable(kernelHeaders, kernelRows)}\n`);
}

await main();
