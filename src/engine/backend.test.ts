import { describe, expect, it } from 'vitest';
import { initBackend, parseBackend } from './backend.js';
import { batchMatMulConfig } from './kernels/batch-mat-mul.js';
import { conv2dBackpropFilterConfig } from './kernels/index.js';
import { tf } from './tf.js';

describe('initBackend', () => {
  it('keeps the stock kernels but adds the missing filter gradient when asked to', async () => {
    expect(await initBackend({ backend: 'wasm', projectKernels: false })).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const filter = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    expect(filter?.kernelFunc).toBe(conv2dBackpropFilterConfig.kernelFunc);
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).not.toBe(batchMatMulConfig.kernelFunc);

    // a convolution's weight gradient now runs on the stock backend
    const x: tf.Tensor4D = tf.ones([1, 4, 4, 1]);
    const grad = tf.grad((w) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 1, 'valid')));
    // every one of the 3×3 output positions sees a 1 under each filter tap
    expect(Array.from(grad(tf.ones([2, 2, 1, 1])).dataSync())).toEqual([9, 9, 9, 9]);
  });
});

describe('parseBackend', () => {
  it('accepts the known names and rejects others with the accepted list', () => {
    expect(parseBackend('cpu')).toBe('cpu');
    expect(() => parseBackend('gpu')).toThrow(/expected one of auto, wasm, cpu, tensorflow/);
  });
});
