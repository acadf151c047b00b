/**
 * Data augmentation for the server classifier's labelled images.
 */
import type { Rng } from '../random.js';

/**
 * Every image (N × height × width, 0–255) moved by its own random whole-pixel offset in
 * [-max, max]², with zeros shifted in.
 *
 * @example
 * const moved = shiftImages(pixels, count, 28, 28, 2, rng);
 */
export function shiftImages(
  pixels: Uint8Array,
  count: number,
  height: number,
  width: number,
  max: number,
  rng: Rng,
): Uint8Array {
  const out = new Uint8Array(pixels.length);
  const size = height * width;
  for (let n = 0; n < count; n++) {
    const dy = rng.int(2 * max + 1) - max;
    const dx = rng.int(2 * max + 1) - max;
    for (let r = Math.max(0, dy); r < Math.min(height, height + dy); r++) {
      const src = n * size + (r - dy) * width;
      const dst = n * size + r * width;
      for (let c = Math.max(0, dx); c < Math.min(width, width + dx); c++) {
        out[dst + c] = pixels[src + c - dx];
      }
    }
  }
  return out;
}
