import { describe, expect, it } from 'vitest';
import { cellKey, mergeGrids, planGrid } from './grid.js';

describe('planGrid', () => {
  it('orders client sets by dataset, N_AE and seed, each with all its cells', () => {
    const plan = planGrid({
      dataset: ['fashion-mnist', 'mnist'],
      nAe: [1000, 100],
      nClassifier: [3000, 1000],
      seeds: [1, 0],
    });
    expect(plan.map((s) => s.key)).toEqual([
      'mnist-nae100-seed0',
      'mnist-nae100-seed1',
      'mnist-nae1000-seed0',
      'mnist-nae1000-seed1',
      'fashion-mnist-nae100-seed0',
      'fashion-mnist-nae100-seed1',
      'fashion-mnist-nae1000-seed0',
      'fashion-mnist-nae1000-seed1',
    ]);
    expect(plan[0].cells.map((c) => c.key)).toEqual([
      'mnist-nae100-seed0-ncl1000',
      'mnist-nae100-seed0-ncl3000',
    ]);
    expect(plan[7].cells[1]).toEqual({
      key: 'fashion-mnist-nae1000-seed1-ncl3000',
      dataset: 'fashion-mnist',
      nAe: 1000,
      nClassifier: 3000,
      seed: 1,
    });
  });

  it('counts a repeated value once', () => {
    const plan = planGrid({
      dataset: ['mnist', 'mnist'],
      nAe: [5, 5],
      nClassifier: [7, 7],
      seeds: [0, 0],
    });
    expect(plan).toHaveLength(1);
    expect(plan[0].cells).toHaveLength(1);
  });
});

describe('cellKey and mergeGrids', () => {
  it('names a cell by every coordinate', () => {
    const key = cellKey({ dataset: 'mnist', nAe: 20, nClassifier: 100, seed: 3 });
    expect(key).toBe('mnist-nae20-seed3-ncl100');
  });

  it('joins two grids, sorted and without repeats', () => {
    const merged = mergeGrids(
      { dataset: ['fashion-mnist'], nAe: [100], nClassifier: [1000], seeds: [0, 1] },
      { dataset: ['mnist', 'fashion-mnist'], nAe: [20], nClassifier: [1000, 200], seeds: [1] },
    );
    expect(merged).toEqual({
      dataset: ['mnist', 'fashion-mnist'],
      nAe: [20, 100],
      nClassifier: [200, 1000],
      seeds: [0, 1],
    });
  });
});
