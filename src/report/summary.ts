/**
 * The text summaries printed at the end of `semipriv run` and `semipriv experiment`.
 */
import type { RunResult } from '../simulation/run.js';
import type { ExperimentResults } from './results.js';
import { formatTable } from './table.js';
import { accuracyTable } from './tables.js';

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

/**
 * Test accuracy per cell of an experiment, dataset by dataset, as text: ours over seeds, the
 * paper's, the difference and both baselines.
 */
export function formatExperimentSummary(results: ExperimentResults): string {
  const datasets = [...new Set(results.summaries.map((s) => s.dataset))];
  return datasets
    .map((dataset) => {
      const table = accuracyTable(results, dataset);
      const align = table.numeric.map((n) => (n ? 'right' : 'left') as 'right' | 'left');
      return `${table.caption}\n${formatTable(table.headers, table.rows, { align })}`;
    })
    .join('\n\n');
}
