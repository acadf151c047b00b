import { beforeAll, describe, expect, it } from 'vitest';

import { createRng } from '../../random.js';
import { tf } from '../tf.js';
import { registerWasmKernels } from './index.js';
import { normalInput, relativeError, valuesOn } from './reference.js';

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: [number, number];
  strides: [number, number];
  pad: Pad;
}

/**
 * Batch 1 and 3, sizes 7 to 28, channels 1/3/8, kernels 1/3/4/5, strides 1/2,
 * both pads.
 */
function gridCases(): ConvCase[] {
  const cases: ConvCase[] = [];
  const sizes = [
    [7, 7],
    [9, 11],
    [14, 14],
    [28, 28],
  ];
  const channels = [1, 3, 8];
  let i = 0;
  for (const [height, width] of sizes) {
    for (const k of [1, 3, 4, 5]) {
      for (const s of [1, 2]) {
        for (const pad of ['same', 'valid'] as const) {
          const inChannels = channels[i % 3];
          const outChannels = channels[Math.floor(i / 3) % 3];
          const batch = i % 2 === 0 ? 1 : 3;
          cases.push({
            batch,
            height,
            width,
            inChannels,
            outChannels,
            kernel: [k, k],
            strides: [s, s],
            pad,
          });
          i++;
        }
      }
    }
  }
  return cases;
}

/**
 * Shapes off the grid: explicit and lopsided padding, mixed strides, wide
 * channels.
 */
const EXTRA_CASES: ConvCase[] = [
  {
    batch: 2,
    height: 9,
    width: 8,
    inChannels: 3,
    outChannels: 4,
    kernel: [3, 3],
    strides: [2, 2],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  {
    batch: 1,
    height: 10,
    width: 13,
    inChannels: 2,
    outChannels: 5,
    kernel: [4, 2],
    strides: [1, 2],
    pad: 'same',
  },
  {
    batch: 2,
    height: 11,
    width: 9,
    inChannels: 3,
    outChannels: 2,
    kernel: [2, 5],
    strides: [3, 1],
    pad: 'valid',
  },
  {
    batch: 3,
    height: 14,
    width: 14,
    inChannels: 32,
    outChannels: 16,
    kernel: [4, 4],
    strides: [2, 2],
    pad: 'same',
  },
  {
    batch: 2,
    height: 9,
    width: 9,
    inChannels: 16,
    outChannels: 8,
    kernel: [3, 3],
    strides: [2, 2],
    pad: 'valid',
  },
  {
    batch: 1,
    height: 7,
    width: 7,
    inChannels: 16,
    outChannels: 3,
    kernel: [1, 1],
    strides: [3, 3],
    pad: 'valid',
  },
  {
    batch: 1,
    height: 6,
    width: 6,
    inChannels: 2,
    outChannels: 2,
    kernel: [3, 3],
    strides: [1, 1],
    pad: [
      [0, 0],
      [4, 3],
      [3, 4],
      [0, 0],
    ],
  },
];

function describeCase(c: ConvCase): string {
  const pad = typeof c.pad === 'string' ? c.pad : JSON.stringify(c.pad.slice(1, 3));
  return `${c.batch}x${c.height}x${c.width}x${c.inChannels}->${c.outChannels} k${c.kernel} s${c.strides} ${pad}`;
}

function geometry(c: ConvCase) {
  const xShape: [number, number, number, number] = [c.batch, c.height, c.width, c.inChannels];
  const filterShape: [number, number, number, number] = [...c.kernel, c.inChannels, c.outChannels];
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, c.strides, 1, c.pad);
  return { xShape, filterShape, dyShape: info.outShape };
}

beforeAll(async () => {
  // test mode also makes the engine check that no kernel leaves a buffer behind
  tf.env().set('IS_TEST', true);
  registerWasmKernels();
  await tf.setBackend('wasm');
});

describe('Conv2DBackpropFilter on wasm', () => {
  it('matches the cpu backend on every grid shape and on explicit, mixed and wide ones', async () => {
    const rng = createRng(11);
    for (const c of [...gridCases(), ...EXTRA_CASES]) {
      const { xShape, filterShape, dyShape } = geometry(c);
      const inputs = [normalInput(rng, xShape), normalInput(rng, dyShape)];
      const run = (x: tf.Tensor, dy: tf.Tensor) =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x, dy },
            { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape },
          ) as tf.Tensor;
      const [expected] = await valuesOn('cpu', run, inputs);
      const [actual] = await valuesOn('wasm', run, inputs);
      expect(relativeError(actual, expected), describeCase(c)).toBeLessThan(1e-4);
    }
  });
});

describe('Conv2DBackpropInput on wasm', () => {
  it('matches the cpu backend on every grid shape and on explicit, mixed and wide ones', async () => {
    const rng = createRng(12);
    for (const c of [...gridCases(), ...EXTRA_CASES]) {
      const { xShape, filterShape, dyShape } = geometry(c);
      const inputs = [normalInput(rng, dyShape), normalInput(rng, filterShape)];
      const run = (dy: tf.Tensor, filter: tf.Tensor) =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropInput',
            { dy, filter },
            { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: xShape },
          ) as tf.Tensor;
      const [expected] = await valuesOn('cpu', run, inputs);
      const [actual] = await valuesOn('wasm', run, inputs);
      expect(relativeError(actual, expected), describeCase(c)).toBeLessThan(1e-4);
    }
  });

  it('computes a stride-2 transposed convolution that matches values worked by hand', async () => {
    // a 2x2 image of 1, 2, 3, 4 spread by a 2x2 filter of ones at stride 2
    // copies each value into its own 2x2 block
    const dy = { values: Float32Array.from([1, 2, 3, 4]), shape: [1, 2, 2, 1] };
    const ones = { values: new Float32Array(4).fill(1), shape: [2, 2, 1, 1] };
    const run = (x: tf.Tensor, w: tf.Tensor) =>
      tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [1, 4, 4, 1], 2, 'valid');
    const [actual] = await valuesOn('wasm', run, [dy, ones]);
    expect(Array.from(actual)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });
});

describe('convolution gradients on wasm', () => {
  it('tf.grads through conv2d and conv2dTranspose agree with the cpu backend', async () => {
    const rng = createRng(13);
    const x = normalInput(rng, [3, 14, 14, 8]);
    const w = normalInput(rng, [4, 4, 8, 16]);
    const r = normalInput(rng, [3, 7, 7, 16]);
    const wt = normalInput(rng, [4, 4, 8, 16]);
    const rt = normalInput(rng, [3, 14, 14, 8]);
    const z = normalInput(rng, [3, 7, 7, 16]);
    const grads = (...[xs, ws, rs, wts, rts, zs]: tf.Tensor[]) => {
      const conv = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), rs)),
      )([xs, ws]);
      const transposed = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
        const y = tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [3, 14, 14, 8], 2, 'same');
        return tf.sum(tf.mul(y, rts));
      })([zs, wts]);
      return [...conv, ...transposed];
    };
    const inputs = [x, w, r, wt, rt, z];
    const expected = await valuesOn('cpu', grads, inputs);
    const actual = await valuesOn('wasm', grads, inputs);
    expect(actual).toHaveLength(4);
    for (let i = 0; i < 4; i++) expect(relativeError(actual[i], expected[i])).toBeLessThan(1e-4);
  });
});
