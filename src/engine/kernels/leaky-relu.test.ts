import { beforeAll, describe, expect, it } from 'vitest';

import { createRng } from '../../random.js';
import { tf } from '../tf.js';
import { registerWasmKernels } from './index.js';
import { normalInput, relativeError, valuesOn } from './reference.js';

beforeAll(async () => {
  // test mode also makes the engine check that no kernel leaves a buffer behind
  tf.env().set('IS_TEST', true);
  registerWasmKernels();
  await tf.setBackend('wasm');
});

const SPECIAL = [-Infinity, -2, -0.5, -0, 0, 0.25, 3, Infinity, NaN];

function input(values: number[]) {
  return { values: Float32Array.from(values), shape: [values.length] };
}

describe('LeakyRelu on wasm', () => {
  it('passes positives, scales the rest by alpha and keeps NaN, for alpha below and above 1', async () => {
    for (const alpha of [0.2, 1.5, -0.3]) {
      const [y] = await valuesOn('wasm', (x) => tf.leakyRelu(x, alpha), [input(SPECIAL)]);
      const expected = SPECIAL.map((v) => (v > 0 ? v : alpha * v));
      expect(Array.from(y)).toEqual(Array.from(Float32Array.from(expected)));
    }
  });

  it('matches the cpu backend on a batch of activations', async () => {
    const x = normalInput(createRng(41), [3, 14, 14, 8]);
    const run = (t: tf.Tensor) => tf.leakyRelu(t, 0.2);
    const [expected] = await valuesOn('cpu', run, [x]);
    const [actual] = await valuesOn('wasm', run, [x]);
    expect(relativeError(actual, expected)).toBeLessThan(1e-6);
  });
});

describe('LeakyRelu gradient', () => {
  it('is dy for positive inputs and alpha · dy otherwise, on wasm and cpu', async () => {
    const x = input([-3, -1, 0, 2, 5]);
    const dy = input([1, 2, 3, 4, 5]);
    const grad = (a: tf.Tensor, b: tf.Tensor) =>
      tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.2))(a, b);
    const expected = Array.from(Float32Array.from([0.2, 0.4, 0.6, 4, 5]));
    for (const backend of ['wasm', 'cpu']) {
      const [dx] = await valuesOn(backend, grad, [x, dy]);
      expect(Array.from(dx), backend).toEqual(expected);
    }
  });
});
