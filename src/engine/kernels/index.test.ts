import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../tf.js';
import { registerWasmKernels, unregisterWasmKernels, WASM_KERNELS } from './index.js';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  registerWasmKernels();
  await tf.setBackend('wasm');
});

describe('registerWasmKernels', () => {
  it('swaps the kernels both ways, and the stock ones work although the backend started without them', () => {
    const dy = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
    const w = tf.ones([2, 2, 1, 1]) as tf.Tensor4D;
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const filterGrad = () =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          { strides: 2, pad: 'valid', dataFormat: 'NHWC', filterShape: [2, 2, 1, 1] },
        ) as tf.Tensor;
    const ours = new Set(WASM_KERNELS.map((k) => k.kernelFunc));

    unregisterWasmKernels();
    expect(ours.has(tf.getKernel('Conv2DBackpropInput', 'wasm').kernelFunc)).toBe(false);
    expect(filterGrad).toThrow(/not registered/);
    // each of the four output values is spread over its own 2x2 block
    expect(Array.from(tf.conv2dTranspose(dy, w, [1, 4, 4, 1], 2, 'valid').dataSync())).toEqual(
      new Array(16).fill(1),
    );

    registerWasmKernels();
    for (const config of WASM_KERNELS) {
      expect(tf.getKernel(config.kernelName, 'wasm').kernelFunc).toBe(config.kernelFunc);
    }
    // each filter tap meets one input pixel per output position: 4 positions of
    // 1 x 1
    expect(Array.from(filterGrad().dataSync())).toEqual([4, 4, 4, 4]);
    tf.dispose([dy, w, x]);
  });
});
