import { describe, expect, it } from 'vitest';
import type { ClientSetRecord } from '../experiment/records.js';
import { clientName, scatterPoints } from './scatter.js';

// probe p's scores at client j: error 10p + j, discriminator −(10p + j)
const labelled = [42];
const testLabels = [0, 1, 0, 1, 1, 1];
const probes = labelled.length + testLabels.length;
const scores = [0, 1].map((j) => ({
  reconstructionError: Float32Array.from({ length: probes }, (_, p) => 10 * p + j),
  discriminatorScore: Float32Array.from({ length: probes }, (_, p) => -(10 * p + j)),
}));
const record = {
  dataset: 'fashion-mnist',
  infos: [0, 1].map((label) => ({ label })),
  labelledIndices: labelled,
  testLabels,
} as unknown as ClientSetRecord;

describe('scatterPoints', () => {
  it("takes each client's test probes only, split by its own class", () => {
    const points = scatterPoints(record, scores, 100, 0);
    const of = (client: string, inlier: boolean): number[] =>
      points
        .filter((p) => p.client === client && p.inlier === inlier)
        .map((p) => p.reconstructionError)
        .sort((a, b) => a - b);
    // test probe i is probe 1 + i; class 0 at test 0 and 2 → probes 1 and 3
    expect(of('0: T-shirt/top', true)).toEqual([10, 30]);
    expect(of('0: T-shirt/top', false)).toEqual([20, 40, 50, 60]);
    expect(of('1: Trouser', true)).toEqual([21, 41, 51, 61]);
    expect(of('1: Trouser', false)).toEqual([11, 31]);
    for (const p of points) expect(p.discriminatorScore).toBe(-p.reconstructionError);
  });

  it('draws at most the given number per side, the same way for the same seed', () => {
    const few = scatterPoints(record, scores, 1, 7);
    expect(few).toHaveLength(4);
    expect(few.filter((p) => p.inlier)).toHaveLength(2);
    expect(scatterPoints(record, scores, 1, 7)).toEqual(few);
  });
});

describe('clientName', () => {
  it('names MNIST clients by digit and Fashion-MNIST ones by class', () => {
    expect(clientName('mnist', 7)).toBe('digit 7');
    expect(clientName('fashion-mnist', 9)).toBe('9: Ankle boot');
  });
});
