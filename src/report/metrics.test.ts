import { describe, expect, it } from 'vitest';
import { SemiprivError } from '../errors.js';
import { createRng } from '../random.js';
import {
  accuracy,
  auroc,
  calinskiHarabasz,
  confusionMatrix,
  daviesBouldin,
  meanStd,
} from './metrics.js';

// The definition itself, one (inlier, outlier) pair at a time.
function pairCount(inlier: number[], outlier: number[]): number {
  let wins = 0;
  for (const o of outlier) {
    for (const i of inlier) wins += o > i ? 1 : o === i ? 0.5 : 0;
  }
  return wins / (inlier.length * outlier.length);
}

describe('auroc', () => {
  it('counts a tie between an outlier and an inlier as one half', () => {
    // Outlier 2 beats 1, ties 2, loses to 3: 1.5.
    // Outliers 4 and 5 beat all three inliers: 3 + 3.
    // (1.5 + 3 + 3) / (3 × 3) = 7.5 / 9
    expect(auroc([1, 2, 3], [2, 4, 5])).toBeCloseTo(7.5 / 9, 12);
  });

  it('is 1 when every outlier scores higher, 0 when every one lower', () => {
    expect(auroc([0.1, 0.2, 0.3], [0.4, 0.5])).toBe(1);
    expect(auroc([0.4, 0.5], [0.1, 0.2, 0.3])).toBe(0);
  });

  it('is 1/2 when every score is the same', () => {
    expect(auroc([7, 7, 7], [7, 7])).toBe(0.5);
  });

  it('sorts infinite scores like any other', () => {
    // Infinity beats both inliers, 0 beats -Infinity only: (2 + 1) / 4
    expect(auroc([-Infinity, 1], [Infinity, 0])).toBe(0.75);
  });

  it('agrees with a direct pair count on 200 random scores', () => {
    const rng = createRng(42);
    // Rounding to tenths makes ties common, so the tie rule is exercised.
    const tenths = (x: number): number => Math.round(x * 10) / 10;
    const inlier = Array.from({ length: 120 }, () => tenths(rng.normal()));
    const shifted = (): number => tenths(rng.normal() + 0.7);
    const outlier = Array.from({ length: 80 }, shifted);
    const expected = pairCount(inlier, outlier);
    expect(auroc(inlier, Float64Array.from(outlier))).toBeCloseTo(expected, 12);
  });

  it('rejects an empty side and NaN scores', () => {
    expect(() => auroc([], [1])).toThrow(SemiprivError);
    expect(() => auroc([1], [])).toThrow(/0 outliers/);
    expect(() => auroc([1, 2], [Number.NaN])).toThrow(/NaN at outlier 0/);
  });
});

// Cluster A: (0,0), (2,0), centroid (1,0), each point 1 away.
// Cluster B: (4,3), (4,5), (4,4), centroid (4,4), points 1, 1, 0 away.
const twoClusters = [
  [0, 0],
  [2, 0],
  [4, 3],
  [4, 5],
  [4, 4],
];
const twoLabels = [0, 0, 1, 1, 1];

// Cluster C: (1,8), (1,12), centroid (1,10), each point 2 away.
const threeClusters = [...twoClusters, [1, 8], [1, 12]];
const threeLabels = [...twoLabels, 2, 2];

describe('calinskiHarabasz', () => {
  it('matches a hand computation on two clusters', () => {
    // Overall mean (14/5, 12/5) = (2.8, 2.4).
    // trace(B) = 2·(1.8² + 2.4²) + 3·(1.2² + 1.6²) = 2·9 + 3·4 = 30
    // trace(W) = 1 + 1 + 1 + 1 + 0 = 4
    // CH = 30/4 × (5 − 2)/(2 − 1) = 22.5
    expect(calinskiHarabasz(twoClusters, twoLabels)).toBeCloseTo(22.5, 12);
  });

  it('accepts Float64Array rows and any label values', () => {
    const rows = twoClusters.map((p) => Float64Array.from(p));
    const labels = [9, 9, -3, -3, -3];
    expect(calinskiHarabasz(rows, labels)).toBeCloseTo(22.5, 12);
  });

  it('is infinite when every cluster is one repeated point', () => {
    const points = [
      [1, 1],
      [1, 1],
      [5, 5],
    ];
    expect(calinskiHarabasz(points, [0, 0, 1])).toBe(Infinity);
  });

  it('rejects one cluster, a cluster per point and mismatched input', () => {
    const ch = (p: number[][], l: number[]) => () => calinskiHarabasz(p, l);
    expect(ch(twoClusters, [0, 0, 0, 0, 0])).toThrow(/received 1 clusters/);
    expect(ch(twoClusters, [0, 1, 2, 3, 4])).toThrow(/received 5 clusters/);
    expect(ch(twoClusters, [0, 1])).toThrow(/2 labels for 5 points/);
    expect(ch([], [])).toThrow(SemiprivError);
    expect(ch([[0, 0], [1], [2, 2]], [0, 0, 1])).toThrow(/1 at index 1/);
  });
});

describe('daviesBouldin', () => {
  it('matches a hand computation on two clusters', () => {
    // s_A = (1 + 1)/2 = 1, s_B = (1 + 1 + 0)/3 = 2/3
    // d(c_A, c_B) = √(3² + 4²) = 5
    // R_AB = (1 + 2/3)/5 = 1/3 is the worst ratio of both, so DB = 1/3
    expect(daviesBouldin(twoClusters, twoLabels)).toBeCloseTo(1 / 3, 12);
  });

  it('matches a hand computation on three clusters', () => {
    // s_C = 2, d(A,C) = 10, d(B,C) = √(3² + 6²) = √45
    // R_AB = 1/3, R_AC = (1 + 2)/10 = 0.3, R_BC = (2/3 + 2)/√45 ≈ 0.398
    // worst: A → R_AB, B → R_BC, C → R_BC
    const rBC = 8 / 3 / Math.sqrt(45);
    const expected = (1 / 3 + 2 * rBC) / 3;
    const value = daviesBouldin(threeClusters, threeLabels);
    expect(value).toBeCloseTo(expected, 12);
  });

  it('does not depend on how the clusters are numbered or ordered', () => {
    const value = daviesBouldin(threeClusters, threeLabels);
    const renumbered = threeLabels.map((l) => [2, 0, 1][l]);
    expect(daviesBouldin(threeClusters, renumbered)).toBeCloseTo(value, 12);

    const order = [6, 2, 0, 4, 5, 1, 3];
    const points = order.map((i) => threeClusters[i]);
    const labels = order.map((i) => threeLabels[i]);
    expect(daviesBouldin(points, labels)).toBeCloseTo(value, 12);
  });

  it('is infinite when two clusters share a centroid', () => {
    const points = [
      [-1, 0],
      [1, 0],
      [0, -2],
      [0, 2],
    ];
    expect(daviesBouldin(points, [0, 0, 1, 1])).toBe(Infinity);
  });

  it('rejects a single cluster', () => {
    const labels = [4, 4, 4, 4, 4];
    expect(() => daviesBouldin(twoClusters, labels)).toThrow(SemiprivError);
  });
});

describe('accuracy and confusionMatrix', () => {
  const predicted = [0, 1, 1, 2, 2, 2];
  const actual = [0, 1, 2, 2, 2, 0];

  it('counts the share of correct predictions', () => {
    // Right at indices 0, 1, 3, 4: 4 of 6.
    expect(accuracy(predicted, actual)).toBeCloseTo(4 / 6, 12);
  });

  it('counts each (actual, predicted) pair with actual classes as rows', () => {
    // (0,0) once, (1,1) once, (2,1) once, (2,2) twice, (0,2) once.
    expect(confusionMatrix(predicted, actual, 3)).toEqual([
      [1, 0, 1],
      [0, 1, 0],
      [0, 1, 2],
    ]);
  });

  it('leaves rows and columns of unseen classes at zero', () => {
    const one = Uint8Array.of(1);
    expect(confusionMatrix(one, Uint8Array.of(0), 3)).toEqual([
      [0, 1, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('rejects mismatched lengths, no labels and unknown classes', () => {
    const cm = (p: number[], a: number[]) => () => confusionMatrix(p, a, 3);
    expect(() => accuracy([0, 1], [0])).toThrow(/2 predictions for 1 labels/);
    expect(() => accuracy([], [])).toThrow(SemiprivError);
    expect(cm([0, 3], [0, 1])).toThrow(/predicted labels in \[0, 3\)/);
    expect(cm([0, 1], [0, 0.5])).toThrow(/received 0.5 at index 1/);
    expect(() => confusionMatrix([0], [0], 0)).toThrow(SemiprivError);
  });
});

describe('meanStd', () => {
  it('divides the squared deviations by n − 1', () => {
    // mean 40/8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32; √(32/7)
    const { mean, std } = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(mean).toBeCloseTo(5, 12);
    expect(std).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it('gives a single value a deviation of 0', () => {
    expect(meanStd([0.93])).toEqual({ mean: 0.93, std: 0 });
  });

  it('rejects no values', () => {
    expect(() => meanStd([])).toThrow(/at least one value/);
  });
});
