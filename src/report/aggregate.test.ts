import { describe, expect, it } from 'vitest';
import type { DatasetName } from '../data/types.js';
import type { CellRecord } from '../experiment/records.js';
import { featuredCell, formatAccuracy, summarise } from './aggregate.js';

interface FakeCell {
  dataset?: DatasetName;
  nAe?: number;
  nClassifier?: number;
  seed: number;
  scheme: number;
  images?: number;
  csm0?: number;
  db0?: number;
}

function cell(f: FakeCell): CellRecord {
  const dataset = f.dataset ?? 'mnist';
  const nAe = f.nAe ?? 100;
  const nClassifier = f.nClassifier ?? 1000;
  return {
    format: 'semipriv-cell',
    formatVersion: 1,
    key: `${dataset}-nae${nAe}-seed${f.seed}-ncl${nClassifier}`,
    dataset,
    nAe,
    nClassifier,
    seed: f.seed,
    backend: 'cpu',
    leakage: nClassifier / 60_000,
    nPrivate: 60_000,
    nTest: 10_000,
    accuracy: { scheme: f.scheme, images: f.images ?? 0.5, scores: 0.4, zeroLeakage: 0.3 },
    clients: [0, 1].map((label) => ({
      label,
      auroc: 0.9 + label / 100,
      aurocDiscriminator: 0.8,
      csm: label === 0 ? (f.csm0 ?? 100) : 50,
      db: label === 0 ? (f.db0 ?? 1) : 2,
    })),
    confusion: [
      [1, 0],
      [0, 1],
    ],
    seconds: { scheme: 1, images: 1, scores: 1 },
  };
}

describe('summarise', () => {
  it('averages each cell over its seeds with the sample standard deviation', () => {
    const [row] = summarise([
      cell({ seed: 0, scheme: 0.97, images: 0.9, csm0: 100, db0: 0.5 }),
      cell({ seed: 1, scheme: 0.98, images: 0.92, csm0: 200, db0: 1.5 }),
      cell({ seed: 2, scheme: 0.99, images: 0.97, csm0: 600, db0: 4 }),
    ]);
    expect(row.seeds).toEqual([0, 1, 2]);
    // scheme: deviations −0.01, 0, +0.01 → √((1e-4 + 1e-4) / 2) = 0.01
    expect(row.scheme.mean).toBeCloseTo(0.98, 12);
    expect(row.scheme.std).toBeCloseTo(0.01, 12);
    // images: mean 0.93, deviations −0.03, −0.01, +0.04 → √(26e-4 / 2) =
    // √0.0013
    expect(row.images.mean).toBeCloseTo(0.93, 12);
    expect(row.images.std).toBeCloseTo(Math.sqrt(0.0013), 12);
    // class 0: CSM (100 + 200 + 600) / 3 = 300, DB (0.5 + 1.5 + 4) / 3 = 2
    expect(row.classes[0]).toMatchObject({ label: 0, csm: 300, db: 2 });
    expect(row.classes[1]).toMatchObject({ label: 1, csm: 50, db: 2, auroc: 0.91 });
    expect(row.zeroLeakage).toEqual({ mean: 0.3, std: 0 });
  });

  it('keeps an infinite index infinite in the mean', () => {
    const [row] = summarise([
      cell({ seed: 0, scheme: 0.9, csm0: Infinity }),
      cell({ seed: 1, scheme: 0.9, csm0: 10 }),
    ]);
    expect(row.classes[0].csm).toBe(Infinity);
  });

  it('groups by dataset, N_AE and N_classifier, in catalogue then ascending order', () => {
    const rows = summarise([
      cell({ dataset: 'fashion-mnist', seed: 0, scheme: 0.8 }),
      cell({ nAe: 1000, nClassifier: 3000, seed: 1, scheme: 0.95 }),
      cell({ nAe: 1000, nClassifier: 3000, seed: 0, scheme: 0.97 }),
      cell({ nClassifier: 6000, seed: 0, scheme: 0.99 }),
      cell({ seed: 0, scheme: 0.9 }),
    ]);
    const order = rows.map((r) => `${r.dataset} ${r.nAe} ${r.nClassifier} ${r.seeds.join('+')}`);
    expect(order).toEqual([
      'mnist 100 1000 0',
      'mnist 100 6000 0',
      'mnist 1000 3000 0+1',
      'fashion-mnist 100 1000 0',
    ]);
    expect(rows[2].scheme.mean).toBeCloseTo(0.96, 12);
    expect(rows[1].leakage).toBeCloseTo(0.1, 12);
  });

  it("puts the paper's accuracy and our difference in points beside the cells it reports", () => {
    const rows = summarise([
      cell({ seed: 0, scheme: 0.98 }),
      cell({ dataset: 'fashion-mnist', nAe: 1000, nClassifier: 6000, seed: 0, scheme: 0.9 }),
      cell({ nAe: 20, nClassifier: 100, seed: 0, scheme: 0.5 }),
    ]);
    const byKey = new Map(rows.map((r) => [`${r.dataset} ${r.nAe} ${r.nClassifier}`, r]));
    // MNIST, N_AE 100, N_classifier 1000: the paper has 98.13 → 98.00 − 98.13
    expect(byKey.get('mnist 100 1000')?.paper).toBe(98.13);
    expect(byKey.get('mnist 100 1000')?.difference).toBeCloseTo(-0.13, 10);
    // Fashion-MNIST, N_AE 1000, N_classifier 6000: 90.7 → 90.00 − 90.7
    expect(byKey.get('fashion-mnist 1000 6000')?.difference).toBeCloseTo(-0.7, 10);
    expect(byKey.get('mnist 20 100')?.paper).toBeUndefined();
    expect(byKey.get('mnist 20 100')?.difference).toBeUndefined();
  });
});

describe('featuredCell', () => {
  it('chooses the smallest N_AE, then N_classifier, then seed of the dataset', () => {
    const cells = [
      cell({ nAe: 1000, nClassifier: 1000, seed: 0, scheme: 0.9 }),
      cell({ nAe: 100, nClassifier: 3000, seed: 0, scheme: 0.9 }),
      cell({ nAe: 100, nClassifier: 1000, seed: 2, scheme: 0.9 }),
      cell({ nAe: 100, nClassifier: 1000, seed: 1, scheme: 0.9 }),
      cell({ dataset: 'fashion-mnist', nAe: 10, nClassifier: 10, seed: 0, scheme: 0.9 }),
    ];
    expect(featuredCell(cells, 'mnist')?.key).toBe('mnist-nae100-seed1-ncl1000');
    expect(featuredCell(cells.slice(0, 2), 'fashion-mnist')).toBeUndefined();
  });
});

describe('formatAccuracy', () => {
  it('writes percent with two decimals, and ± only over two seeds or more', () => {
    expect(formatAccuracy({ mean: 0.98134, std: 0.01052 }, 3)).toBe('98.13 ± 1.05');
    expect(formatAccuracy({ mean: 0.5, std: 0 }, 1)).toBe('50.00');
  });
});
