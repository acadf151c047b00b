import { describe, expect, it } from 'vitest';
import { createRng } from '../random.js';
import { shiftImages } from './augment.js';

describe('shiftImages', () => {
  it('leaves images unchanged with a zero shift', () => {
    const pixels = Uint8Array.from({ length: 2 * 25 }, (_, i) => i);
    expect(Array.from(shiftImages(pixels, 2, 5, 5, 0, createRng(0)))).toEqual(Array.from(pixels));
  });

  it('moves a single bright pixel by at most the largest shift, and keeps it', () => {
    const rng = createRng(1);
    const seen = new Set<string>();
    for (let trial = 0; trial < 50; trial++) {
      const pixels = new Uint8Array(49);
      pixels[3 * 7 + 3] = 200; // centre of a 7×7 image
      const out = shiftImages(pixels, 1, 7, 7, 2, rng);
      const at = out.findIndex((v) => v === 200);
      const [r, c] = [Math.floor(at / 7), at % 7];
      expect(Math.abs(r - 3)).toBeLessThanOrEqual(2);
      expect(Math.abs(c - 3)).toBeLessThanOrEqual(2);
      expect(out.reduce((a, b) => a + b, 0)).toBe(200);
      seen.add(`${r},${c}`);
    }
    // 50 draws over 25 offsets: many distinct ones
    expect(seen.size).toBeGreaterThan(10);
  });

  it('shifts zeros in where the image moved away', () => {
    // a full 4×4 image shifted by a non-zero offset loses at least one row or column
    const pixels = new Uint8Array(16).fill(9);
    const rng = createRng(5);
    let sawZero = false;
    for (let t = 0; t < 10; t++) sawZero ||= shiftImages(pixels, 1, 4, 4, 1, rng).includes(0);
    expect(sawZero).toBe(true);
  });
});
