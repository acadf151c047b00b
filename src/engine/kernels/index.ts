/**
 * Kernels semipriv registers on the wasm backend: ones the stock backend lacks
 * for training, and faster versions of slow stock ones.
 */
import { tf } from '../tf.js';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { leakyReluConfig, leakyReluGradConfig } from './leaky-relu.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { ensureSetup, stockKernel } from './wasm.js';

export { conv2dBackpropFilterConfig };

/** Every kernel configuration semipriv registers on the wasm backend. */
export const WASM_KERNELS: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  batchMatMulConfig,
  leakyReluConfig,
  maxPoolGradConfig,
];

/** Gradients semipriv registers; these apply to every backend. */
export const GRADIENTS: readonly tf.GradConfig[] = [leakyReluGradConfig];

/** The gradients semipriv replaced, to put back. */
const stockGradients = new Map<string, tf.GradConfig>();

let registered = false;

/**
 * Registers semipriv's wasm kernels, replacing stock ones of the same name, and
 * its faster gradients. Registration is global to the thread, so it may happen
 * before or after the backend starts; the gradients serve every backend.
 *
 * @example
 * registerWasmKernels();
 * await tf.setBackend('wasm');
 */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  for (const config of WASM_KERNELS) {
    // remember the stock kernel first: fallbacks and the benchmark use it
    stockKernel(config.kernelName);
    if (tf.getKernel(config.kernelName, 'wasm') !== undefined) {
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
  }
  for (const config of GRADIENTS) {
    const stock = tf.getGradient(config.kernelName) as tf.GradConfig | undefined;
    if (stock !== undefined && !stockGradients.has(config.kernelName)) {
      stockGradients.set(config.kernelName, stock);
    }
    tf.registerGradient(config);
  }
}

/**
 * Registers only the kernels the stock wasm backend lacks (Conv2DBackpropFilter), without
 * which no convolutional network trains: the baseline against which semipriv's faster kernels
 * are measured.
 */
export function registerMissingWasmKernels(): void {
  if (tf.getKernel(conv2dBackpropFilterConfig.kernelName, 'wasm') === undefined) {
    tf.registerKernel(conv2dBackpropFilterConfig);
  }
}

/** Puts the stock kernels and gradients back, for measuring them. */
export function unregisterWasmKernels(): void {
  if (!registered) return;
  registered = false;
  for (const config of WASM_KERNELS) {
    tf.unregisterKernel(config.kernelName, 'wasm');
    const stock = stockKernel(config.kernelName);
    if (stock === undefined) continue;
    tf.registerKernel(stock);
    // a backend started under semipriv's kernel never set the stock one up
    const backend = tf.findBackend('wasm');
    if (backend !== null) ensureSetup(stock, backend);
  }
  for (const config of GRADIENTS) {
    const stock = stockGradients.get(config.kernelName);
    if (stock === undefined) tf.unregisterGradient(config.kernelName);
    else tf.registerGradient(stock);
  }
}
