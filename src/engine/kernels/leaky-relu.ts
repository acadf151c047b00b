/**
 * LeakyRelu and its gradient, which a leaky-ReLU network runs on every
 * activation. The stock wasm LeakyRelu kernel, and the Greater and Select
 * kernels of the stock gradient `where(x > 0, dy, alpha · dy)`, branch on
 * each element's sign; on activations that branch is a coin toss, and they
 * run at about 5 ns per element. Both are rebuilt here from the fast stock
 * Step and Multiply kernels:
 *
 *     leakyRelu(x) = x · step(x, alpha)      dx = dy · step(x, alpha)
 *
 * where step is 1 above zero, alpha elsewhere and NaN for NaN.
 */
import { tf } from '../tf.js';
import type { TensorInfo, WasmKernelArgs } from './wasm.js';
import { free, input, runStock, wasmKernel } from './wasm.js';

function leakyRelu(args: WasmKernelArgs): TensorInfo {
  const { backend } = args;
  const x = input(args, 'x');
  const { alpha } = args.attrs as unknown as tf.LeakyReluAttrs;
  if (x.dtype !== 'float32') {
    return runStock('LeakyRelu', backend, { x }, { alpha });
  }
  const slope = runStock('Step', backend, { x }, { alpha });
  const out = runStock('Multiply', backend, { a: x, b: slope });
  free(backend, slope);
  return out;
}

/** The kernel registered on the wasm backend in place of the stock one. */
export const leakyReluConfig = wasmKernel('LeakyRelu', leakyRelu);

/**
 * The LeakyRelu gradient as `dy · step(x, alpha)`, for every backend. It agrees
 * with the stock gradient everywhere but at a NaN input, whose gradient becomes
 * NaN, not `alpha · dy`.
 */
export const leakyReluGradConfig: tf.GradConfig = {
  kernelName: 'LeakyRelu',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { alpha } = attrs as unknown as tf.LeakyReluAttrs;
    return { x: () => tf.mul(dy as tf.Tensor, tf.step(x, alpha)) };
  },
};
