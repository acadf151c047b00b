/**
 * Experiment cells summed up over seeds: test accuracy mean ± standard
 * deviation for the scheme, both baselines and the zero-leakage rule, and each
 * class's separability averaged, beside the paper's numbers.
 */
import { DATASET_NAMES } from '../data/load.js';
import type { DatasetName } from '../data/types.js';
import type { CellRecord } from '../experiment/records.js';
import { meanStd } from './metrics.js';
import { paperAccuracy } from './paper.js';

/** A mean and a sample standard deviation. */
export interface MeanStd {
  mean: number;
  std: number;
}

/** One class's separability, averaged over seeds. */
export interface ClassSummary {
  label: number;
  csm: number;
  db: number;
  auroc: number;
  aurocDiscriminator: number;
}

/** One (dataset, N_AE, N_classifier) point over its seeds; accuracies as shares in [0, 1]. */
export interface CellSummary {
  dataset: DatasetName;
  nAe: number;
  nClassifier: number;
  /** Seeds found, ascending. */
  seeds: number[];
  leakage: number;
  scheme: MeanStd;
  images: MeanStd;
  scores: MeanStd;
  zeroLeakage: MeanStd;
  /** The paper's test accuracy in percent, where it reports one. */
  paper?: number;
  /** Our mean less the paper's, in percentage points. */
  difference?: number;
  classes: ClassSummary[];
}

/**
 * Groups cells by (dataset, N_AE, N_classifier) and averages over seeds.
 *
 * @example
 * const rows = summarise(cells);
 * rows[0].scheme; // { mean: 0.98, std: 0.002 }
 */
export function summarise(cells: readonly CellRecord[]): CellSummary[] {
  const groups = new Map<string, CellRecord[]>();
  for (const cell of sortCells(cells)) {
    const key = `${cell.dataset}/${cell.nAe}/${cell.nClassifier}`;
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }

  return [...groups.values()].map((group) => {
    const { dataset, nAe, nClassifier, leakage } = group[0];
    const over = (pick: (c: CellRecord) => number): MeanStd => meanStd(group.map(pick));
    const scheme = over((c) => c.accuracy.scheme);
    const paper = paperAccuracy(dataset, nAe, nClassifier);
    const labels = group[0].clients.map((c) => c.label);
    const classes = labels.map((label, j) => {
      const mean = (pick: (c: CellRecord) => number): number => over(pick).mean;
      return {
        label,
        csm: mean((c) => c.clients[j].csm),
        db: mean((c) => c.clients[j].db),
        auroc: mean((c) => c.clients[j].auroc),
        aurocDiscriminator: mean((c) => c.clients[j].aurocDiscriminator),
      };
    });
    return {
      dataset,
      nAe,
      nClassifier,
      seeds: group.map((c) => c.seed),
      leakage,
      scheme,
      images: over((c) => c.accuracy.images),
      scores: over((c) => c.accuracy.scores),
      zeroLeakage: over((c) => c.accuracy.zeroLeakage),
      ...(paper === undefined ? {} : { paper, difference: 100 * scheme.mean - paper }),
      classes,
    };
  });
}

/** Cells in report order: dataset as catalogued, then N_AE, N_classifier and seed ascending. */
export function sortCells(cells: readonly CellRecord[]): CellRecord[] {
  const rank = (d: DatasetName): number => DATASET_NAMES.indexOf(d);
  return [...cells].sort(
    (a, b) =>
      rank(a.dataset) - rank(b.dataset) ||
      a.nAe - b.nAe ||
      a.nClassifier - b.nClassifier ||
      a.seed - b.seed,
  );
}

/**
 * The cell whose confusion matrix and scatter plots a report shows for a
 * dataset: the smallest N_AE, the smallest N_classifier and the first seed, the
 * run closest to the paper's low-leakage setting. Undefined when the dataset
 * has no cell.
 */
export function featuredCell(
  cells: readonly CellRecord[],
  dataset: DatasetName,
): CellRecord | undefined {
  return sortCells(cells.filter((c) => c.dataset === dataset))[0];
}

/** Accuracy as `98.13 ± 0.05` (percent, two decimals); the ± part only with two seeds or more. */
export function formatAccuracy(value: MeanStd, seeds: number): string {
  const mean = (100 * value.mean).toFixed(2);
  return seeds > 1 ? `${mean} ± ${(100 * value.std).toFixed(2)}` : mean;
}
