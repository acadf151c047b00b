/**
 * `results.json`: everything a report shows, gathered from an experiment
 * folder's saved files: the settings, every cell, their summaries over seeds,
 * the featured confusion matrices and the time each part took.
 */
import { DATASET_NAMES } from '../data/load.js';
import type { DatasetName } from '../data/types.js';
import { plannedCells } from '../experiment/grid.js';
import type { CellRecord, ClientSetRecord, ExperimentRecord } from '../experiment/records.js';
import { featuredCell, sortCells, summarise, type CellSummary } from './aggregate.js';
import { PAPER_AUTHORS, PAPER_TITLE } from './paper.js';

/** The confusion matrix a report shows for one dataset, and whose it is. */
export interface FeaturedCell {
  dataset: DatasetName;
  key: string;
  nAe: number;
  nClassifier: number;
  seed: number;
  confusion: number[][];
}

/** Total seconds spent on each part of the experiment. */
export interface Timings {
  clientSets: { key: string; trainWallSeconds: number; scoringSeconds: number }[];
  clientTrainingSeconds: number;
  scoringSeconds: number;
  classifierSeconds: number;
}

/** What `results.json` holds. */
export interface ExperimentResults {
  format: 'semipriv-results';
  formatVersion: 1;
  paper: { title: string; authors: string };
  experiment: ExperimentRecord;
  /** One row per (dataset, N_AE, N_classifier), over seeds. */
  summaries: CellSummary[];
  featured: FeaturedCell[];
  /** Cells of the grid that the folder does not hold (yet). */
  missing: string[];
  /** Backends the cells ran on. */
  backends: string[];
  timings: Timings;
  /** Versions of the packages that drew the report. */
  reportSoftware: Record<string, string>;
  generated: string;
  cells: CellRecord[];
}

/**
 * Gathers the results of an experiment folder.
 *
 * @example
 * const results = assembleResults(experiment, await store.listCells(), sets, versions);
 * results.summaries[0].scheme.mean;
 */
export function assembleResults(
  experiment: ExperimentRecord,
  cells: readonly CellRecord[],
  clientSets: readonly ClientSetRecord[],
  reportSoftware: Record<string, string>,
): ExperimentResults {
  const sorted = sortCells(cells);
  const found = new Set(sorted.map((c) => c.key));
  const planned = plannedCells(experiment.asked ?? [experiment.grid]);

  const featured: FeaturedCell[] = [];
  for (const dataset of DATASET_NAMES) {
    const cell = featuredCell(sorted, dataset);
    if (!cell) continue;
    const { key, nAe, nClassifier, seed, confusion } = cell;
    featured.push({ dataset, key, nAe, nClassifier, seed, confusion });
  }

  const sum = (values: number[]): number => values.reduce((s, v) => s + v, 0);
  return {
    format: 'semipriv-results',
    formatVersion: 1,
    paper: { title: PAPER_TITLE, authors: PAPER_AUTHORS },
    experiment,
    summaries: summarise(sorted),
    featured,
    missing: planned.filter((key) => !found.has(key)),
    backends: [...new Set([...clientSets, ...sorted].map((r) => r.backend))].sort(),
    timings: {
      clientSets: clientSets.map(({ key, trainWallSeconds, scoringSeconds }) => ({
        key,
        trainWallSeconds,
        scoringSeconds,
      })),
      clientTrainingSeconds: sum(clientSets.map((s) => s.trainWallSeconds)),
      scoringSeconds: sum(clientSets.map((s) => s.scoringSeconds)),
      classifierSeconds: sum(
        sorted.map((c) => c.seconds.scheme + c.seconds.images + c.seconds.scores),
      ),
    },
    reportSoftware,
    generated: new Date().toISOString(),
    cells: sorted,
  };
}
