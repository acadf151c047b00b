import { describe, expect, it } from 'vitest';
import { pickScores, positionsIn, unionIndices } from './steps.js';

describe('unionIndices and positionsIn', () => {
  it('joins labelled subsets into one ascending list and finds each image in it', () => {
    const union = unionIndices([
      [9, 2, 5],
      [5, 2, 9, 14, 0],
    ]);
    expect(union).toEqual([0, 2, 5, 9, 14]);
    expect(positionsIn(union, [9, 2, 5])).toEqual([3, 1, 2]);
  });

  it('refuses an image that was never scored', () => {
    expect(() => positionsIn([1, 2], [3])).toThrow(/training image 3 .* never scored/);
  });
});

describe('pickScores', () => {
  it("picks every client's scores of the given probes, in the given order", () => {
    const all = [
      {
        reconstructionError: Float32Array.of(1, 2, 3),
        discriminatorScore: Float32Array.of(4, 5, 6),
      },
      {
        reconstructionError: Float32Array.of(7, 8, 9),
        discriminatorScore: Float32Array.of(0, 1, 2),
      },
    ];
    expect(pickScores(all, [2, 0])).toEqual([
      { reconstructionError: Float32Array.of(3, 1), discriminatorScore: Float32Array.of(6, 4) },
      { reconstructionError: Float32Array.of(9, 7), discriminatorScore: Float32Array.of(2, 0) },
    ]);
    expect(() => pickScores(all, [3])).toThrow(/probe 3 is outside the 3 scored probes/);
  });
});
