/**
 * The published numbers that semipriv's results are compared with, all from one
 * paper: its test accuracies and its per-class separability tables (Table I for
 * MNIST, Table II for Fashion-MNIST).
 */
import type { DatasetName } from '../data/types.js';

/** The title of the paper the scheme and the numbers below come from. */
export const PAPER_TITLE =
  'Distributed Semi-Private Image Classification Based on Information-Bottleneck Principle';

/** Its authors, as cited in reports. */
export const PAPER_AUTHORS = 'Rezaeifar et al.';

/**
 * Test accuracy in percent by dataset, then N_AE, then N_classifier.
 *
 * @example
 * PAPER_ACCURACY.mnist[100][1000]; // 98.13
 */
export const PAPER_ACCURACY: Readonly<
  Record<DatasetName, Readonly<Record<number, Readonly<Record<number, number>>>>>
> = {
  mnist: {
    100: { 1000: 98.13, 3000: 98.78, 6000: 99.28 },
    1000: { 1000: 98.31, 3000: 98.9, 6000: 99.33 },
  },
  'fashion-mnist': {
    100: { 1000: 85.7, 3000: 88.97, 6000: 90.66 },
    1000: { 1000: 87.7, 3000: 89.0, 6000: 90.7 },
  },
};

/** Per-class separability of one dataset's clients, classes 0–9 in order. */
export interface PaperSeparability {
  /** Which table of the paper the numbers come from. */
  readonly table: string;
  /** Calinski–Harabasz index (higher separates better). */
  readonly csm: readonly number[];
  /** Davies–Bouldin index (lower separates better). */
  readonly db: readonly number[];
}

/** The paper's Tables I (MNIST) and II (Fashion-MNIST). */
export const PAPER_SEPARABILITY: Readonly<Record<DatasetName, PaperSeparability>> = {
  mnist: {
    table: 'Table I',
    csm: [283, 246, 202, 153, 226, 157, 180, 328, 152, 159],
    db: [14.3, 51.2, 25.4, 9.6, 9.1, 22.6, 11.0, 39.3, 15.9, 13.3],
  },
  'fashion-mnist': {
    table: 'Table II',
    csm: [346, 1063, 689, 664, 451, 851, 345, 782, 607, 827],
    db: [0.8, 0.4, 0.6, 0.5, 0.7, 0.5, 0.8, 0.5, 0.6, 0.4],
  },
};

/** The paper's test accuracy in percent for one cell, or undefined when it reports none. */
export function paperAccuracy(
  dataset: DatasetName,
  nAe: number,
  nClassifier: number,
): number | undefined {
  return PAPER_ACCURACY[dataset][nAe]?.[nClassifier];
}
