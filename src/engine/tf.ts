/**
 * The one place that imports TensorFlow.js. `@tensorflow/tfjs` registers every gradient; the
 * wasm backend registers itself on import. Everything else imports `tf` from here.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export { tf };
export type { Tensor, Tensor1D, Tensor2D, Tensor4D, Variable, Rank } from '@tensorflow/tfjs';
