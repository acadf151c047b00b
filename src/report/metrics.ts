/**
 * Numbers for the report: how well a score separates a client's own class
 * from the rest (AUROC), how well the scores cluster by class
 * (Calinski–Harabasz, Davies–Bouldin), and how well the server classifies
 * (accuracy, confusion matrix, mean ± standard deviation over runs).
 */
import { SemiprivError } from '../errors.js';

/**
 * The area under the ROC curve of a score that should be higher for
 * outliers: the probability that a random outlier scores above a random
 * inlier, ties counting one half. Computed from ranks (the Mann–Whitney U
 * statistic) in O(n log n).
 *
 * @param inlier - Scores of probes from the client's own class.
 * @param outlier - Scores of probes from every other class.
 * @returns A value in [0, 1]: 1 when every outlier scores above every
 *   inlier, 0.5 for a score no better than chance.
 * @throws SemiprivError `SP_OPTION` when either side is empty or a score
 *   is NaN.
 *
 * @example
 * // Reconstruction errors: a client's own digits reconstruct best.
 * auroc([0.1, 0.2, 0.3], [0.25, 0.4, 0.5]); // 8/9 ≈ 0.889
 */
export function auroc(inlier: ArrayLike<number>, outlier: ArrayLike<number>): number {
  const nIn = inlier.length;
  const nOut = outlier.length;
  if (nIn === 0 || nOut === 0) {
    const got = `${nIn} inliers and ${nOut} outliers`;
    throw invalid(`auroc: expected inlier and outlier scores, received ${got}`);
  }

  // pool both sides; indices from nIn on are outliers
  const n = nIn + nOut;
  const scores = new Float64Array(n);
  for (let i = 0; i < nIn; i++) scores[i] = inlier[i];
  for (let j = 0; j < nOut; j++) scores[nIn + j] = outlier[j];
  const nanAt = scores.findIndex(Number.isNaN);
  if (nanAt >= 0) {
    const where = nanAt < nIn ? `inlier ${nanAt}` : `outlier ${nanAt - nIn}`;
    throw invalid(`auroc: expected numeric scores, received NaN at ${where}`);
  }

  // A comparison rather than a subtraction, so that ±Infinity still sorts.
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) =>
    scores[a] < scores[b] ? -1 : scores[a] > scores[b] ? 1 : 0,
  );

  // sum the 1-based ranks of the outliers; tied scores share their mean rank
  let outlierRanks = 0;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    const meanRank = (start + 1 + end) / 2;
    for (let t = start; t < end; t++) {
      if (order[t] >= nIn) outlierRanks += meanRank;
    }
    start = end;
  }

  const u = outlierRanks - (nOut * (nOut + 1)) / 2;
  return u / (nIn * nOut);
}

/**
 * Points to cluster: one entry per point holding its `d` coordinates, as
 * `number[][]` or an array of `Float64Array` rows. Every point has the
 * same `d ≥ 1`.
 */
export type Points = ReadonlyArray<ArrayLike<number>>;

/**
 * The Calinski–Harabasz index: between-cluster over within-cluster
 * dispersion, `trace(B) / trace(W) × (n − k) / (k − 1)`. Higher means
 * tighter, better separated clusters.
 *
 * @param points - One row of coordinates per point (see {@link Points}).
 * @param labels - The cluster of each point: any numbers, one distinct
 *   value per cluster.
 * @returns The index, or `Infinity` when each cluster is one repeated
 *   point.
 * @throws SemiprivError `SP_OPTION` unless there is one label per point,
 *   all points have the same dimension, and the number of clusters k
 *   satisfies 2 ≤ k ≤ n − 1.
 *
 * @example
 * // Two pairs 4 apart: trace(B) = 16, trace(W) = 4, CH = 16/4 × 2/1 = 8.
 * calinskiHarabasz([[0, 0], [2, 0], [0, 4], [2, 4]], [0, 0, 1, 1]); // 8
 */
export function calinskiHarabasz(points: Points, labels: ArrayLike<number>): number {
  const clusters = groupClusters('calinskiHarabasz', points, labels);
  const { dim, cluster, counts, centroids } = clusters;
  const n = points.length;
  const k = counts.length;

  // the overall centroid is the count-weighted mean of the cluster centroids
  const mean = new Float64Array(dim);
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < dim; d++) mean[d] += (counts[c] * centroids[c][d]) / n;
  }

  let between = 0;
  for (let c = 0; c < k; c++) {
    between += counts[c] * squaredDistance(centroids[c], mean);
  }
  let within = 0;
  for (let i = 0; i < n; i++) {
    within += squaredDistance(points[i], centroids[cluster[i]]);
  }

  if (within === 0) return Infinity;
  return ((between / within) * (n - k)) / (k - 1);
}

/**
 * The Davies–Bouldin index: each cluster's worst ratio
 * `(s_i + s_j) / d(c_i, c_j)` to another cluster, averaged over clusters,
 * where `s` is the mean Euclidean distance of a cluster's points to its
 * centroid `c`. Lower means tighter, better separated clusters; the value
 * does not depend on how the clusters are numbered.
 *
 * @param points - One row of coordinates per point (see {@link Points}).
 * @param labels - The cluster of each point: any numbers, one distinct
 *   value per cluster.
 * @returns The index, or `Infinity` when two clusters share a centroid.
 * @throws SemiprivError `SP_OPTION` on the same inputs as
 *   {@link calinskiHarabasz}.
 */
export function daviesBouldin(points: Points, labels: ArrayLike<number>): number {
  const clusters = groupClusters('daviesBouldin', points, labels);
  const { cluster, counts, centroids } = clusters;
  const k = counts.length;

  const spread = new Float64Array(k);
  for (let i = 0; i < points.length; i++) {
    const c = cluster[i];
    const distance = Math.sqrt(squaredDistance(points[i], centroids[c]));
    spread[c] += distance / counts[c];
  }

  let sum = 0;
  for (let a = 0; a < k; a++) {
    let worst = 0;
    for (let b = 0; b < k; b++) {
      if (b === a) continue;
      const gap = Math.sqrt(squaredDistance(centroids[a], centroids[b]));
      worst = Math.max(worst, (spread[a] + spread[b]) / gap);
    }
    sum += worst;
  }
  return sum / k;
}

/**
 * The share of predictions equal to the actual label.
 *
 * @throws SemiprivError `SP_OPTION` when the inputs are empty or differ in
 *   length.
 */
export function accuracy(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkPairs('accuracy', predicted, actual);
  let correct = 0;
  for (let i = 0; i < actual.length; i++) {
    if (predicted[i] === actual[i]) correct++;
  }
  return correct / actual.length;
}

/**
 * Counts of each (actual, predicted) pair as `matrix[actual][predicted]`:
 * rows are actual classes, columns predicted ones.
 *
 * @throws SemiprivError `SP_OPTION` when the inputs are empty or differ in
 *   length, or a label is not an integer in [0, numClasses).
 */
export function confusionMatrix(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
  numClasses: number,
): number[][] {
  checkPairs('confusionMatrix', predicted, actual);
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    const expected = 'a positive integer number of classes';
    throw invalid(`confusionMatrix: expected ${expected}, received ${numClasses}`);
  }

  const zeros = (): number[] => new Array<number>(numClasses).fill(0);
  const matrix = Array.from({ length: numClasses }, zeros);
  for (let i = 0; i < actual.length; i++) {
    checkClass('predicted', predicted[i], i, numClasses);
    checkClass('actual', actual[i], i, numClasses);
    matrix[actual[i]][predicted[i]]++;
  }
  return matrix;
}

/**
 * The mean and the sample standard deviation (divided by n − 1) of
 * `values`, as reported over repeated runs; one value has deviation 0.
 *
 * @throws SemiprivError `SP_OPTION` when `values` is empty.
 */
export function meanStd(values: readonly number[]): {
  mean: number;
  std: number;
} {
  const n = values.length;
  if (n === 0) throw invalid('meanStd: expected at least one value, received none');
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n === 1) return { mean, std: 0 };

  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, std: Math.sqrt(squares / (n - 1)) };
}

/** Points grouped by label, clusters numbered 0..k−1 as first seen. */
interface Clusters {
  readonly dim: number;
  /** The cluster number of each point. */
  readonly cluster: Int32Array;
  readonly counts: number[];
  readonly centroids: Float64Array[];
}

function groupClusters(what: string, points: Points, labels: ArrayLike<number>): Clusters {
  const n = points.length;
  if (labels.length !== n) {
    const got = `${labels.length} labels for ${n} points`;
    throw invalid(`${what}: expected one label per point, received ${got}`);
  }
  const dim = n > 0 ? points[0].length : 0;
  if (n > 0 && dim === 0) {
    throw invalid(`${what}: expected points with coordinates, received none`);
  }

  // number the clusters and sum their coordinates
  const numberOf = new Map<number, number>();
  const cluster = new Int32Array(n);
  const counts: number[] = [];
  const centroids: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const point = points[i];
    if (point.length !== dim) {
      throw invalid(
        `${what}: expected every point to have ${dim} coordinates, ` +
          `received ${point.length} at index ${i}`,
      );
    }
    let c = numberOf.get(labels[i]);
    if (c === undefined) {
      c = counts.length;
      numberOf.set(labels[i], c);
      counts.push(0);
      centroids.push(new Float64Array(dim));
    }
    cluster[i] = c;
    counts[c]++;
    for (let d = 0; d < dim; d++) centroids[c][d] += point[d];
  }

  // one cluster has no separation; one point per cluster has no spread
  const k = counts.length;
  if (k < 2 || k > n - 1) {
    const got = `${k} clusters of ${n} points`;
    throw invalid(`${what}: expected 2 to n − 1 clusters, received ${got}`);
  }

  for (let c = 0; c < k; c++) {
    for (let d = 0; d < dim; d++) centroids[c][d] /= counts[c];
  }
  return { dim, cluster, counts, centroids };
}

function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += (a[d] - b[d]) ** 2;
  return sum;
}

function checkPairs(what: string, predicted: ArrayLike<number>, actual: ArrayLike<number>): void {
  if (predicted.length !== actual.length) {
    throw invalid(
      `${what}: expected one prediction per label, ` +
        `received ${predicted.length} predictions for ${actual.length} labels`,
    );
  }
  if (actual.length === 0) {
    throw invalid(`${what}: expected at least one label, received none`);
  }
}

function checkClass(name: string, label: number, index: number, numClasses: number): void {
  if (Number.isInteger(label) && label >= 0 && label < numClasses) return;
  throw invalid(
    `confusionMatrix: expected ${name} labels in [0, ${numClasses}), ` +
      `received ${label} at index ${index}`,
  );
}

function invalid(message: string): SemiprivError {
  return new SemiprivError('SP_OPTION', message);
}
