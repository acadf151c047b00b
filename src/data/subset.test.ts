import { describe, expect, it } from 'vitest';
import { pixelsToFloat, subset } from './subset.js';
import type { ImageSet } from './types.js';

// three 1×2 images: [10, 11], [20, 21], [30, 31]
const set: ImageSet = {
  images: Uint8Array.of(10, 11, 20, 21, 30, 31),
  labels: Uint8Array.of(1, 2, 3),
  count: 3,
  height: 1,
  width: 2,
};

describe('subset', () => {
  it('copies the chosen images and labels in the given order', () => {
    const picked = subset(set, [2, 0, 2]);
    expect(Array.from(picked.images)).toEqual([30, 31, 10, 11, 30, 31]);
    expect(Array.from(picked.labels)).toEqual([3, 1, 3]);
    expect([picked.count, picked.height, picked.width]).toEqual([3, 1, 2]);
  });

  it('does not share memory with the source set', () => {
    const picked = subset(set, Int32Array.of(1));
    picked.images[0] = 99;
    expect(set.images[2]).toBe(20);
  });

  it('rejects an index outside the set', () => {
    expect(() => subset(set, [0, 3])).toThrow(
      expect.objectContaining({ code: 'SP_INTERNAL', message: expect.stringContaining('index 3') }),
    );
    expect(() => subset(set, [-1])).toThrow(expect.objectContaining({ code: 'SP_INTERNAL' }));
  });
});

describe('pixelsToFloat', () => {
  it('maps 0–255 onto 0–1', () => {
    const floats = pixelsToFloat(Uint8Array.of(0, 51, 255));
    expect(floats).toBeInstanceOf(Float32Array);
    expect(floats[0]).toBe(0);
    expect(floats[1]).toBeCloseTo(0.2, 6);
    expect(floats[2]).toBe(1);
  });
});
