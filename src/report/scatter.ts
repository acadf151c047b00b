/**
 * The points of the score scatter plots: for each client, a seeded sample of
 * its scores of test probes of its own class (inliers) and of the other classes
 * (outliers). Sampling keeps the figure small; equal numbers per side keep
 * either group from hiding the other.
 */
import { FASHION_MNIST_CLASS_NAMES } from '../data/fashion-mnist.js';
import type { DatasetName } from '../data/types.js';
import type { ClientSetRecord } from '../experiment/records.js';
import type { Scores } from '../model/bibae.js';
import { createRng, sampleIndices } from '../random.js';
import type { ScatterPoint } from './charts.js';

/** How a report names a client: its class name, or `digit 3` for MNIST. */
export function clientName(dataset: DatasetName, label: number): string {
  if (dataset === 'fashion-mnist') return `${label}: ${FASHION_MNIST_CLASS_NAMES[label]}`;
  return `digit ${label}`;
}

/**
 * Up to `perSide` inlier and `perSide` outlier test probes per client, drawn
 * with `seed`.
 *
 * @param scores - Every client's scores of every probe of the client set, in
 *   label order.
 *
 * @example
 * const points = scatterPoints(record, await store.readScores(record), 250, 0);
 */
export function scatterPoints(
  record: ClientSetRecord,
  scores: readonly Scores[],
  perSide: number,
  seed: number,
): ScatterPoint[] {
  const first = record.labelledIndices.length;
  const rng = createRng(seed);
  return record.infos.flatMap((info, j) => {
    const inliers: number[] = [];
    const outliers: number[] = [];
    record.testLabels.forEach((label, i) => (label === info.label ? inliers : outliers).push(i));
    const client = clientName(record.dataset, info.label);
    const draw = (pool: number[], inlier: boolean): ScatterPoint[] =>
      sampleIndices(rng.fork(2 * info.label + (inlier ? 0 : 1)), pool.length, perSide).map((k) => ({
        client,
        inlier,
        reconstructionError: scores[j].reconstructionError[first + pool[k]],
        discriminatorScore: scores[j].discriminatorScore[first + pool[k]],
      }));
    // outliers first, so that the client's own class is drawn on top
    return [...draw(outliers, false), ...draw(inliers, true)];
  });
}
