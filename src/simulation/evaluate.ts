/**
 * Per-client separability and the classifier-free rule, computed from test-set scores.
 */
import type { Scores } from '../model/bibae.js';
import { auroc, calinskiHarabasz, daviesBouldin } from '../report/metrics.js';
import type { MinMaxScaler } from '../server/scaling.js';
import type { ClientInfo } from '../transport/types.js';

/** How well one client's scores separate its own class from the others. */
export interface ClientEvaluation {
  label: number;
  /** ROC AUC of the reconstruction error: inliers low, outliers high. */
  auroc: number;
  /** ROC AUC of the discriminator score: inliers high, outliers low. */
  aurocDiscriminator: number;
  /** Calinski–Harabasz index of the scaled 2-D score points, inliers vs outliers. */
  csm: number;
  /** Davies–Bouldin index of the same points (lower separates better). */
  db: number;
}

/**
 * Separability of every client's scores on labelled test probes. The 2-D points are the
 * features the server classifier sees, ln(error) and discriminator score, but min–max scaled
 * with `scaler` (fitted on the labelled subset), as the paper's separability tables are.
 */
export function evaluateClients(
  perClient: readonly Scores[],
  labels: Uint8Array,
  infos: readonly ClientInfo[],
  scaler: MinMaxScaler,
): ClientEvaluation[] {
  return perClient.map((scores, j) => {
    const label = infos[j].label;
    const inErr: number[] = [];
    const outErr: number[] = [];
    const inDisc: number[] = [];
    const outDisc: number[] = [];
    const points: number[][] = [];
    const groups: number[] = [];
    const scale = (v: number, c: number): number => {
      const span = scaler.max[c] - scaler.min[c];
      return span > 0 ? Math.min(1, Math.max(0, (v - scaler.min[c]) / span)) : 0;
    };

    for (let i = 0; i < labels.length; i++) {
      const err = scores.reconstructionError[i];
      const disc = scores.discriminatorScore[i];
      const inlier = labels[i] === label;
      (inlier ? inErr : outErr).push(err);
      // negated so that, like the error, outliers score higher
      (inlier ? inDisc : outDisc).push(-disc);
      points.push([scale(Math.log(err + 1e-8), 2 * j), scale(disc, 2 * j + 1)]);
      groups.push(inlier ? 0 : 1);
    }

    return {
      label,
      auroc: auroc(inErr, outErr),
      aurocDiscriminator: auroc(inDisc, outDisc),
      csm: calinskiHarabasz(points, groups),
      db: daviesBouldin(points, groups),
    };
  });
}

/**
 * The classifier-free rule: each probe goes to the client whose reconstruction error is
 * smallest once standardised by that client's own training-image statistics (mean and
 * standard deviation of ln error), which the client shares without revealing any image.
 */
export function zeroLeakagePredictions(
  perClient: readonly Scores[],
  infos: readonly ClientInfo[],
): Uint8Array {
  const n = perClient[0]?.reconstructionError.length ?? 0;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    perClient.forEach((scores, j) => {
      const { mean, std } = infos[j].errorStats;
      const z = (Math.log(scores.reconstructionError[i] + 1e-8) - mean) / std;
      if (z < best) {
        best = z;
        out[i] = infos[j].label;
      }
    });
  }
  return out;
}
