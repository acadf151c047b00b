import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../tf.js';
import { registerWasmKernels } from './index.js';

beforeAll(async () => {
  // test mode also makes the engine check that no kernel leaves a buffer behind
  tf.env().set('IS_TEST', true);
  registerWasmKernels();
  await tf.setBackend('wasm');
});

/** Tensors, bytes and backend buffers alive now. */
function census() {
  const { numTensors, numBytes } = tf.memory();
  return { numTensors, numBytes, numDataIds: tf.engine().backend.numDataIds() };
}

describe('semipriv wasm kernels', () => {
  it('leave no tensor, byte or backend buffer behind after 100 calls each', () => {
    const x = tf.randomNormal([2, 9, 9, 3]) as tf.Tensor4D;
    const w = tf.randomNormal([4, 4, 3, 16]) as tf.Tensor4D;
    const dy = tf.randomNormal([2, 5, 5, 16]) as tf.Tensor4D;
    const wide = tf.randomNormal([4, 4, 16, 3]) as tf.Tensor4D;
    const a = tf.randomNormal([7, 5]);
    const b = tf.randomNormal([7, 3]);
    const calls: Record<string, () => tf.Tensor> = {
      Conv2DBackpropFilter: () =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x, dy },
            { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [4, 4, 3, 16] },
          ) as tf.Tensor,
      'Conv2DBackpropInput (stacked)': () => tf.conv2dTranspose(dy, w, [2, 9, 9, 3], 2, 'same'),
      'Conv2DBackpropInput (separate)': () =>
        tf.conv2dTranspose(
          tf.slice(dy, 0, [2, 5, 5, 3]) as tf.Tensor4D,
          wide,
          [2, 9, 9, 16],
          2,
          'same',
        ),
      'BatchMatMul (direct)': () => tf.matMul(a, b, true, false),
      'BatchMatMul (swapped)': () => tf.matMul(b, a, true, false),
      LeakyRelu: () => tf.leakyRelu(x, 0.2),
      'LeakyRelu gradient': () => tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.2))(x),
    };
    for (const [name, call] of Object.entries(calls)) {
      tf.dispose(tf.tidy(call));
      const before = census();
      for (let i = 0; i < 100; i++) tf.dispose(tf.tidy(call));
      expect(census(), name).toEqual(before);
    }
    tf.dispose([x, w, dy, wide, a, b]);
  });

  it('leave memory flat over repeated training steps of a small conv net', () => {
    // seeded, so that whether five steps lower the loss does not depend on the draw
    const w1 = tf.variable(tf.randomNormal([4, 4, 1, 8], 0, 0.1, 'float32', 1));
    const w2 = tf.variable(tf.randomNormal([4, 4, 4, 8], 0, 0.1, 'float32', 2));
    const dense = tf.variable(tf.randomNormal([8 * 49, 10], 0, 0.1, 'float32', 3));
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const optimizer = tf.train.adam(1e-3);
    const step = () =>
      optimizer.minimize(() => {
        const h = tf.leakyRelu(tf.conv2d(x, w1 as tf.Tensor4D, 2, 'same'), 0.2);
        const up = tf.conv2dTranspose(h, w2 as tf.Tensor4D, [4, 28, 28, 4], 2, 'same');
        const down = tf.conv2d(up, tf.ones([8, 8, 4, 8]) as tf.Tensor4D, 4, 'same');
        const logits = tf.matMul(tf.reshape(down, [4, 8 * 49]), dense);
        return tf.mean(tf.square(logits)) as tf.Scalar;
      }, true) as tf.Scalar;
    tf.dispose(step());
    const before = census();
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const loss = step();
      losses.push(loss.dataSync()[0]);
      loss.dispose();
    }
    expect(census()).toEqual(before);
    // the step trains: the loss it minimises goes down
    expect(losses[4]).toBeLessThan(losses[0]);
    optimizer.dispose();
    tf.dispose([w1, w2, dense, x]);
  });
});
