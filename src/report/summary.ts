/**
 * The text summary printed at the end of `semipriv run`.
 */
import type { RunResult } from '../simulation/run.js';
import { formatTable } from './table.js';

/** Per-client separability and the headline numbers of a run, as text. */
export function formatRunSummary(result: RunResult): string {
  const rows = result.clients.map((c) => [
    c.label,
    c.auroc.toFixed(4),
    c.aurocDiscriminator.toFixed(4),
    c.csm.toFixed(1),
    c.db.toFixed(3),
    c.trainSeconds.toFixed(1),
  ]);
  const meanAuroc = result.clients.reduce((s, c) => s + c.auroc, 0) / result.clients.length;
  const t = result.timings;
  return [
    formatTable(['client', 'AUROC (error)', 'AUROC (disc.)', 'CSM', 'DB', 'train s'], rows),
    '',
    `dataset ${result.dataset}, N_AE ${result.nAe}, N_classifier ${result.nClassifier}, ` +
      `seed ${result.seed}, backend ${result.backend}, workers ${result.workers}`,
    `test accuracy          ${(100 * result.testAccuracy).toFixed(2)}% on ${result.nTest} images`,
    `zero-leakage accuracy  ${(100 * result.zeroLeakageAccuracy).toFixed(2)}% (no shared image)`,
    `leakage L              ${result.nClassifier}/${result.nPrivate} = ` +
      `${(100 * result.leakage).toFixed(3)}%`,
    `mean client AUROC      ${meanAuroc.toFixed(4)}`,
    `time                   clients ${t.clientsSeconds.toFixed(1)} s, scoring ` +
      `${t.scoringSeconds.toFixed(1)} s, classifier ${t.classifierSeconds.toFixed(1)} s, ` +
      `total ${t.totalSeconds.toFixed(1)} s`,
  ].join('\n');
}
