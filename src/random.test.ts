import { describe, expect, it } from 'vitest';
import { createRng, sampleIndices, shuffle } from './random.js';

describe('createRng', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const seqA = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(seqA);
  });

  it('draws uniform numbers with mean 1/2 and normals with mean 0 and variance 1', () => {
    const rng = createRng(1);
    const n = 20000;
    let sum = 0;
    let sumN = 0;
    let sumN2 = 0;
    for (let i = 0; i < n; i++) {
      sum += rng.next();
      const z = rng.normal();
      sumN += z;
      sumN2 += z * z;
    }
    expect(sum / n).toBeCloseTo(0.5, 1);
    expect(sumN / n).toBeCloseTo(0, 1);
    expect(sumN2 / n).toBeCloseTo(1, 1);
  });

  it('forks independent streams that are themselves repeatable', () => {
    const f1 = createRng(3).fork(1);
    const f2 = createRng(3).fork(2);
    const again = createRng(3).fork(1);
    const x = f1.uint32();
    expect(again.uint32()).toBe(x);
    expect(f2.uint32()).not.toBe(x);
  });
});

describe('sampling', () => {
  it('samples k distinct indices below n', () => {
    const picks = sampleIndices(createRng(0), 50, 20);
    expect(picks).toHaveLength(20);
    expect(new Set(picks).size).toBe(20);
    expect(Math.max(...picks)).toBeLessThan(50);
  });

  it('shuffles into a permutation of the input', () => {
    const items = shuffle(createRng(0), [1, 2, 3, 4, 5, 6]);
    expect([...items].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
