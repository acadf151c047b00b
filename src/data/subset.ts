/**
 * Picking images out of a set, and turning pixels into the floats a model
 * reads.
 */
import { SemiprivError } from '../errors.js';
import type { ImageSet } from './types.js';

/**
 * A new set holding copies of the images and labels at `indices`, in that
 * order.
 *
 * @example
 * const firstTwo = subset(train, [0, 1]); // firstTwo.count === 2
 */
export function subset(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const size = set.height * set.width;
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (!Number.isInteger(index) || index < 0 || index >= set.count) {
      throw new SemiprivError(
        'SP_INTERNAL',
        `subset index ${index} (position ${i}) is outside a set of ${set.count} images`,
      );
    }
    images.set(set.images.subarray(index * size, (index + 1) * size), i * size);
    labels[i] = set.labels[index];
  }
  const { height, width } = set;
  return { images, labels, count: indices.length, height, width };
}

/**
 * Pixels 0–255 as floats 0–1.
 *
 * @example
 * pixelsToFloat(Uint8Array.of(0, 51, 255)); // Float32Array [0, 0.2, 1]
 */
export function pixelsToFloat(images: Uint8Array): Float32Array {
  const floats = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) floats[i] = images[i] / 255;
  return floats;
}
