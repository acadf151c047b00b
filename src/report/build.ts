/**
 * Builds an experiment folder's report from its saved files alone:
 * `results.json`, `report.html`, `report.md` and the figures as SVG and PNG
 * under `figures/`.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../data/idx.js';
import { DATASET_NAMES } from '../data/load.js';
import type { DatasetName } from '../data/types.js';
import { SemiprivError } from '../errors.js';
import { clientSetKey } from '../experiment/grid.js';
import { recordToJson } from '../experiment/records.js';
import { ExperimentStore } from '../experiment/store.js';
import { accuracyChart, confusionChart, scatterChart } from './charts.js';
import { REPORT_NOTES, runNotes, type DatasetSection, type ReportFigure } from './document.js';
import { reportHtml } from './html.js';
import { reportMarkdown } from './markdown.js';
import { chartVersions, renderChart } from './render.js';
import type { CellSummary } from './aggregate.js';
import { assembleResults, type ExperimentResults } from './results.js';
import { clientName, scatterPoints } from './scatter.js';
import {
  accuracyTable,
  separabilityTable,
  settingsTable,
  softwareTable,
  timingTable,
} from './tables.js';

/** Probes per side (inliers, outliers) and client in the scatter plots. */
const SCATTER_PER_SIDE = 250;

/** The files {@link buildReport} wrote. */
export interface ReportFiles {
  html: string;
  markdown: string;
  results: string;
  figures: string[];
}

/** What {@link buildReport} gathered and where it wrote it. */
export interface BuiltReport {
  results: ExperimentResults;
  files: ReportFiles;
}

/**
 * Rebuilds the report of the experiment folder `dir`.
 *
 * @throws SemiprivError `SP_RESULTS_INVALID` when `dir` holds no experiment or
 *   a damaged file.
 *
 * @example
 * const { files } = await buildReport('runs/grid');
 * console.log(files.html); // runs/grid/report.html
 */
export async function buildReport(dir: string): Promise<BuiltReport> {
  const store = new ExperimentStore(dir);
  const experiment = await store.readExperiment();
  if (!experiment) {
    throw new SemiprivError(
      'SP_RESULTS_INVALID',
      `${join(dir, 'experiment.json')} not found: expected a folder written by ` +
        'semipriv experiment',
    );
  }
  const clientSets = await store.listClientSets();
  const results = assembleResults(experiment, await store.listCells(), clientSets, chartVersions());

  // figures and tables, dataset by dataset
  const sections: DatasetSection[] = [];
  for (const dataset of DATASET_NAMES) {
    if (!results.summaries.some((s) => s.dataset === dataset)) continue;
    sections.push({
      dataset,
      accuracy: accuracyTable(results, dataset),
      separability: smallestCells(results, dataset).map(separabilityTable),
      figures: await datasetFigures(store, results, dataset),
    });
  }
  const doc = {
    results,
    sections,
    about: [settingsTable(results), softwareTable(results), timingTable(results)],
    notes: [...REPORT_NOTES, ...runNotes(results)],
  };

  // files: figures first, so that the pages never link to a missing one
  const figureDir = join(dir, 'figures');
  await mkdir(figureDir, { recursive: true });
  const figures: string[] = [];
  for (const figure of sections.flatMap((s) => s.figures)) {
    const stem = join(figureDir, figure.id);
    await writeFileAtomic(`${stem}.svg`, figure.chart.svg);
    await writeFileAtomic(`${stem}.png`, figure.chart.png);
    figures.push(`${stem}.svg`, `${stem}.png`);
  }
  const files = {
    results: join(dir, 'results.json'),
    html: join(dir, 'report.html'),
    markdown: join(dir, 'report.md'),
    figures,
  };
  await writeFileAtomic(files.results, recordToJson(results));
  await writeFileAtomic(files.html, reportHtml(doc));
  await writeFileAtomic(files.markdown, reportMarkdown(doc));
  return { results, files };
}

/** Per N_AE, the summary of the smallest N_classifier: the separability tables' rows. */
function smallestCells(results: ExperimentResults, dataset: DatasetName): CellSummary[] {
  const seen = new Set<number>();
  return results.summaries.filter((s) => {
    if (s.dataset !== dataset || seen.has(s.nAe)) return false;
    seen.add(s.nAe);
    return true;
  });
}

async function datasetFigures(
  store: ExperimentStore,
  results: ExperimentResults,
  dataset: DatasetName,
): Promise<ReportFigure[]> {
  const figures: ReportFigure[] = [
    {
      id: `accuracy-${dataset}`,
      title: `${dataset}: test accuracy against leakage`,
      caption:
        'Mean over seeds with ±1 standard deviation bars; the zero-leakage rule sits at L = 0; ' +
        'diamonds are the paper’s results for the scheme.',
      chart: await renderChart(accuracyChart(dataset, results.summaries)),
      embed: 'svg',
    },
  ];

  const featured = results.featured.find((f) => f.dataset === dataset);
  if (!featured) return figures;
  const where = `N_AE = ${featured.nAe}, seed ${featured.seed}`;
  const labels = featured.confusion.map((_, label) => label);

  // scatter: the featured client set's test scores, if still on disk
  const record = await store.readClientSet(clientSetKey(dataset, featured.nAe, featured.seed));
  if (record) {
    const points = scatterPoints(record, await store.readScores(record), SCATTER_PER_SIDE, 0);
    const names = record.infos.map((info) => clientName(dataset, info.label));
    figures.push({
      id: `scores-${dataset}`,
      title: `${dataset}: each client’s scores of its inliers and outliers (${where})`,
      caption:
        'One panel per client: reconstruction error (log scale) against discriminator ' +
        'score for test probes of its own class (inliers) and of the other classes (outliers).',
      chart: await renderChart(scatterChart(points, names)),
      embed: 'png',
    });
  }

  figures.push({
    id: `confusion-${dataset}`,
    title:
      `${dataset}: confusion matrix of the scheme (${where}, ` +
      `N_classifier = ${featured.nClassifier})`,
    caption: 'Rows are actual classes, columns predicted ones; colour is the share of the row.',
    chart: await renderChart(
      confusionChart(
        featured.confusion,
        labels.map((l) => clientName(dataset, l)),
      ),
    ),
    embed: 'svg',
  });
  return figures;
}
