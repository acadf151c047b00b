import { describe, expect, it } from 'vitest';
import type { CellSummary } from './aggregate.js';
import { accuracyChart, confusionChart } from './charts.js';

function row(nAe: number, nClassifier: number, scheme: number): CellSummary {
  const ms = (mean: number) => ({ mean, std: 0.01 });
  return {
    dataset: 'mnist',
    nAe,
    nClassifier,
    seeds: [0, 1],
    leakage: nClassifier / 60_000,
    scheme: ms(scheme),
    images: ms(0.9),
    scores: ms(0.8),
    zeroLeakage: ms(0.7),
    classes: [],
    ...(nAe === 100 && nClassifier === 1000 ? { paper: 98.13, difference: 0 } : {}),
  };
}

type Values = Record<string, string | number>[];

describe('accuracyChart', () => {
  it('draws each method per cell, the paper where it reports, zero leakage per panel', () => {
    const spec = accuracyChart('mnist', [
      row(100, 1000, 0.98),
      row(100, 3000, 0.99),
      row(20, 300, 0.5),
    ]);
    const values = (spec.data as { values: Values }).values;
    const count = (method: string) => values.filter((v) => v.method === method).length;
    expect(count('scheme')).toBe(3);
    expect(count('images only')).toBe(3);
    expect(count('paper (scheme)')).toBe(1);
    expect(count('zero leakage')).toBe(2);
    const scheme = values.find((v) => v.method === 'scheme' && v.panel === 'N_AE = 100');
    // L = 1000 / 60000 in percent; accuracy and its ±1 std bar in percent
    expect(scheme?.leakage).toBeCloseTo(100 / 60, 12);
    expect(scheme?.accuracy).toBeCloseTo(98, 12);
    expect(scheme?.low).toBeCloseTo(97, 12);
    expect(scheme?.high).toBeCloseTo(99, 12);
    const paper = values.find((v) => v.method === 'paper (scheme)');
    expect(paper?.accuracy).toBeCloseTo(98.13, 12);
    expect(values.find((v) => v.method === 'zero leakage')?.leakage).toBe(0);
  });
});

describe('confusionChart', () => {
  it("colours each cell by its share of the actual class's row", () => {
    const spec = confusionChart(
      [
        [3, 1],
        [0, 0],
      ],
      ['a', 'b'],
    );
    const values = (spec.data as { values: Values }).values;
    expect(values).toEqual([
      { actual: 'a', predicted: 'a', count: 3, share: 0.75 },
      { actual: 'a', predicted: 'b', count: 1, share: 0.25 },
      { actual: 'b', predicted: 'a', count: 0, share: 0 },
      { actual: 'b', predicted: 'b', count: 0, share: 0 },
    ]);
  });
});
