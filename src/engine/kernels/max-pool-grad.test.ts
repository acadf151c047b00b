import { beforeAll, describe, expect, it } from 'vitest';

import { createRng } from '../../random.js';
import { tf } from '../tf.js';
import { registerWasmKernels } from './index.js';
import { normalInput, relativeError, valuesOn } from './reference.js';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  registerWasmKernels();
  await tf.setBackend('wasm');
});

/** The gradient of sum(maxPool(x) · w), i.e. MaxPoolGrad with dy = w. */
function poolGrad(size: number, stride: number, pad: 'same' | 'valid') {
  return (x: tf.Tensor, w: tf.Tensor) =>
    tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, size, stride, pad), w)))(
      x,
    );
}

describe('MaxPoolGrad on wasm', () => {
  it('routes each window’s gradient to its largest input and zeros the rest', async () => {
    // one 4×4 channel: windows {1,5,2,0}, {3,2,9,4}, {0,-1,-2,-3}, {7,7,1,1}
    const x = {
      values: Float32Array.from([1, 5, 3, 2, 2, 0, 9, 4, 0, -1, 7, 7, -2, -3, 1, 1]),
      shape: [1, 4, 4, 1],
    };
    const dy = { values: Float32Array.from([10, 20, 30, 40]), shape: [1, 2, 2, 1] };
    const [dx] = await valuesOn('wasm', poolGrad(2, 2, 'valid'), [x, dy]);
    // the tie between the two 7s goes to the first in row-major order
    expect(Array.from(dx)).toEqual([0, 10, 0, 0, 0, 0, 20, 0, 30, 0, 40, 0, 0, 0, 0, 0]);
  });

  it('matches the cpu backend on the classifier’s shapes', async () => {
    const rng = createRng(7);
    for (const [shape, pad] of [
      [[3, 28, 28, 32], 'same'],
      [[2, 14, 14, 8], 'same'],
      [[2, 9, 7, 3], 'valid'],
    ] as const) {
      const x = normalInput(rng, [...shape]);
      const out = [shape[0], Math.floor(shape[1] / 2), Math.floor(shape[2] / 2), shape[3]];
      const dy = normalInput(rng, out);
      const run = poolGrad(2, 2, pad);
      const [expected] = await valuesOn('cpu', run, [x, dy]);
      const [actual] = await valuesOn('wasm', run, [x, dy]);
      expect(relativeError(actual, expected), shape.join('×')).toBe(0);
    }
  });

  it('falls back to the stock kernel for overlapping windows, matching cpu', async () => {
    const rng = createRng(8);
    const x = normalInput(rng, [2, 9, 9, 4]);
    const dy = normalInput(rng, [2, 4, 4, 4]);
    const run = poolGrad(3, 2, 'valid');
    const [expected] = await valuesOn('cpu', run, [x, dy]);
    const [actual] = await valuesOn('wasm', run, [x, dy]);
    expect(relativeError(actual, expected)).toBeLessThan(1e-6);
  });
});
