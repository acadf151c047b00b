import { beforeAll, describe, expect, it } from 'vitest';

import { createRng } from '../../random.js';
import { tf } from '../tf.js';
import { planMatMul } from './batch-mat-mul.js';
import { registerWasmKernels } from './index.js';
import { normalInput, relativeError, valuesOn } from './reference.js';

beforeAll(async () => {
  // test mode also makes the engine check that no kernel leaves a buffer behind
  tf.env().set('IS_TEST', true);
  registerWasmKernels();
  await tf.setBackend('wasm');
});

/**
 * Shape of an operand stored `rows × cols`, transposed when `t`, with leading
 * batch dims.
 */
function operand(batch: number[], rows: number, cols: number, t: boolean): number[] {
  return [...batch, ...(t ? [cols, rows] : [rows, cols])];
}

describe('BatchMatMul on wasm', () => {
  it('matches the cpu backend for every transpose combination, batch and plan', async () => {
    const rng = createRng(21);
    const sizes = [
      [64, 300, 20],
      [20, 300, 64],
      [3, 5, 7],
      [1, 9, 1],
      [33, 1, 17],
    ];
    const batches = [[], [1], [2]];
    for (const [m, k, n] of sizes) {
      for (const batch of batches) {
        for (const transposeA of [false, true]) {
          for (const transposeB of [false, true]) {
            const a = normalInput(rng, operand(batch, m, k, transposeA));
            const b = normalInput(rng, operand(batch, k, n, transposeB));
            const run = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, transposeA, transposeB);
            const [expected] = await valuesOn('cpu', run, [a, b]);
            const [actual] = await valuesOn('wasm', run, [a, b]);
            const label = `${m}x${k}x${n} batch [${batch}] tA=${transposeA} tB=${transposeB}`;
            expect(relativeError(actual, expected), label).toBeLessThan(1e-5);
          }
        }
      }
    }
  });

  it('keeps the broadcast batch shape of its operands', async () => {
    const rng = createRng(22);
    const a = normalInput(rng, [1, 1, 4, 6]);
    const b = normalInput(rng, [1, 5, 6]);
    await valuesOn(
      'wasm',
      (x, y) => {
        const c = tf.matMul(x, y, false, true);
        expect(c.shape).toEqual([1, 1, 4, 5]);
        return c;
      },
      [a, b],
    );
  });

  it('multiplies a transposed product correctly on values worked by hand', async () => {
    // [[1, 2], [3, 4]]ᵀ · [[5, 6], [7, 8]] = [[26, 30], [38, 44]]
    const a = { values: Float32Array.from([1, 2, 3, 4]), shape: [2, 2] };
    const b = { values: Float32Array.from([5, 6, 7, 8]), shape: [2, 2] };
    const [c] = await valuesOn('wasm', (x, y) => tf.matMul(x, y, true, false), [a, b]);
    expect(Array.from(c)).toEqual([26, 30, 38, 44]);
  });
});

describe('planMatMul', () => {
  it('puts the smaller operand on the right, where XNNPACK repacks it', () => {
    // a dense layer's forward pass: 64 rows of activations against 3136 × 256
    // weights
    expect(planMatMul(64, 3136, 256, false, false)).toBe('swapped');
    // its weight gradient: activationsᵀ · dy, with dy the small operand already
    // on the right
    expect(planMatMul(3136, 64, 256, true, false)).toBe('direct');
    // its input gradient dy · weightsᵀ: running Cᵀ = weights · dyᵀ needs no
    // weight transpose
    expect(planMatMul(64, 256, 3136, false, true)).toBe('swapped');
  });
});
