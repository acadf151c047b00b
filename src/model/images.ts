/**
 * Conversion of 0–255 pixels into the float tensors the networks take.
 */
import { tf, type Tensor4D } from '../engine/tf.js';

/** Pixels 0–255, N × height × width, as a [N, height, width, 1] float tensor in [0, 1]. */
export function imagesToTensor(
  pixels: Uint8Array,
  count: number,
  height: number,
  width: number,
): Tensor4D {
  const values = new Float32Array(count * height * width);
  for (let i = 0; i < values.length; i++) values[i] = pixels[i] / 255;
  return tf.tensor4d(values, [count, height, width, 1]);
}
