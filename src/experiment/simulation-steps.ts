/**
 * The experiment's steps on one machine: the ten clients of a client set train
 * in the simulation's worker pool and score the probes once; every cell then
 * fits the server's classifiers on the saved scores, in the main thread.
 */
import { createHash } from 'node:crypto';
import { loadDataset } from '../data/load.js';
import { partition } from '../data/partition.js';
import { subset } from '../data/subset.js';
import type { Dataset, DatasetName } from '../data/types.js';
import { initBackend, type BackendName } from '../engine/backend.js';
import { SemiprivError } from '../errors.js';
import type { Scores } from '../model/bibae.js';
import { AUGMENTATION_PRESETS } from '../model/augment.js';
import { DEFAULT_CLASSIFIER_OPTIONS, type ClassifierInputs } from '../model/classifier.js';
import { confusionMatrix } from '../report/metrics.js';
import { Server } from '../server/server.js';
import {
  clientJobs,
  concatSets,
  fitAndEvaluate,
  limitSet,
  type Evaluation,
} from '../simulation/run.js';
import { WorkerPool } from '../simulation/worker-pool.js';
import type { ClientEndpoint, ClientInfo } from '../transport/types.js';
import type { FinishedClient, FinishedClients } from './finished-clients.js';
import type { CellSpec, ClientSetSpec, ExperimentOptions } from './grid.js';
import type { CellRecord } from './records.js';
import {
  CLASSIFIER_VARIANTS,
  pickScores,
  positionsIn,
  unionIndices,
  type ClassifierVariant,
  type ClientSetManifest,
  type ExperimentSteps,
  type ScoredClientSet,
  type StepEvents,
} from './steps.js';

const INPUTS: Record<ClassifierVariant, ClassifierInputs> = {
  scheme: 'both',
  images: 'images',
  scores: 'scores',
};

/**
 * Starts the backend and returns the simulation's steps; the worker pool starts
 * on first use, so a fully resumed experiment starts none.
 *
 * @example
 * const steps = await createSimulationSteps(options);
 * await runExperiment(options, steps); // closes the steps when it ends
 */
export async function createSimulationSteps(options: ExperimentOptions): Promise<ExperimentSteps> {
  const backend = await initBackend({
    backend: options.backend,
    projectKernels: options.projectKernels,
  });
  return new SimulationSteps(options, backend);
}

class SimulationSteps implements ExperimentSteps {
  readonly backend: BackendName;
  private readonly options: ExperimentOptions;
  private readonly datasets = new Map<DatasetName, Promise<Dataset>>();
  private pool: Promise<WorkerPool> | null = null;

  constructor(options: ExperimentOptions, backend: BackendName) {
    this.options = options;
    this.backend = backend;
  }

  async checkClientSet(spec: ClientSetSpec): Promise<void> {
    const { train } = await this.dataset(spec.dataset);
    for (const cell of spec.cells) {
      partition(train, { nAe: spec.nAe, nClassifier: cell.nClassifier, seed: spec.seed });
    }
  }

  async scoreClientSet(
    spec: ClientSetSpec,
    events: StepEvents,
    finished: FinishedClients,
  ): Promise<{ manifest: ClientSetManifest; scores: Scores[] }> {
    const { train, test } = await this.dataset(spec.dataset);

    // one partition per N_classifier; the clients' draws depend only on seed
    // and N_AE
    const splits = spec.cells.map((cell) =>
      partition(train, { nAe: spec.nAe, nClassifier: cell.nClassifier, seed: spec.seed }),
    );
    const drawn = JSON.stringify(splits[0].clients.map((c) => c.trainIndices));
    if (splits.some((s) => JSON.stringify(s.clients.map((c) => c.trainIndices)) !== drawn)) {
      throw new SemiprivError(
        'SP_INTERNAL',
        `${spec.key}: the clients' training draws differ between labelled-subset sizes`,
      );
    }
    const labelledIndices = unionIndices(splits.map((s) => s.labelledIndices));
    const testSet = limitSet(test, this.options.testLimit);
    const probeList = { labelledIndices, testCount: testSet.count };
    const probes = concatSets(subset(train, labelledIndices), testSet);

    // clients an earlier, stopped run finished are read back, not trained again
    const earlier = await finished.load(probeList);
    const reused = new Set(earlier.map((c) => c.info.label));
    if (reused.size > 0) events.onClientsReused?.([...reused]);
    const jobs = clientJobs(train, splits[0], { ...this.options, seed: spec.seed });
    const epochsDone = new Map([...reused].map((label) => [label, this.options.epochs]));

    // the rest train in the worker pool; each scores the labelled subsets' union and the test
    // images as soon as it has trained, and is kept at once
    const pool = await this.startPool();
    const trainStart = performance.now();
    const done: FinishedClient[] = [...earlier];
    let scoringSeconds = 0;
    await pool.trainAll(
      jobs.filter((job) => !reused.has(job.options.label)),
      (label, report) => {
        epochsDone.set(label, report.epoch);
        let epochs = 0;
        for (const e of epochsDone.values()) epochs += e;
        events.onProgress?.(epochs / (jobs.length * report.epochs));
        events.onClientEpoch?.(label, report);
      },
      async (client) => {
        const scoringStart = performance.now();
        const scores = await client.endpoint.score(probes);
        scoringSeconds += (performance.now() - scoringStart) / 1000;
        const kept = { info: client.info, seconds: client.seconds, scores };
        await finished.save(probeList, kept);
        done.push(kept);
        events.onClientTrained?.(client.info.label, client.seconds);
      },
    );
    events.onScoring?.();

    // scoring ran inside the training wall time; the manifest keeps the two apart, and counts
    // reused clients' training as if this run had done it
    const workers = pool.size;
    const trainWallSeconds =
      (performance.now() - trainStart) / 1000 -
      scoringSeconds / workers +
      earlier.reduce((sum, c) => sum + c.seconds, 0) / workers;
    done.sort((a, b) => a.info.label - b.info.label);
    const infos = done.map((c) => c.info);
    const scores = done.map((c) => c.scores);
    const byLabel = new Map(done.map((c) => [c.info.label, c.seconds]));
    return {
      manifest: {
        format: 'semipriv-client-set',
        formatVersion: 1,
        key: spec.key,
        dataset: spec.dataset,
        nAe: spec.nAe,
        seed: spec.seed,
        backend: this.backend,
        infos,
        trainSeconds: infos.map((info) => byLabel.get(info.label) ?? 0),
        trainWallSeconds,
        scoringSeconds: scoringSeconds / workers,
        labelledIndices,
        nClassifier: spec.cells.map((c) => c.nClassifier),
        testCount: testSet.count,
        testLabels: Array.from(testSet.labels),
      },
      scores,
    };
  }

  async evaluateCell(
    cell: CellSpec,
    set: ScoredClientSet,
    events: StepEvents,
  ): Promise<CellRecord> {
    const { train, test } = await this.dataset(cell.dataset);
    const { record } = set;

    // the cell's labelled subset and the test set, with their saved scores
    const split = partition(train, {
      nAe: cell.nAe,
      nClassifier: cell.nClassifier,
      seed: cell.seed,
    });
    const labelled = {
      set: subset(train, split.labelledIndices),
      scores: pickScores(set.scores, positionsIn(record.labelledIndices, split.labelledIndices)),
    };
    const first = record.labelledIndices.length;
    const testPositions = Array.from({ length: record.testCount }, (_, i) => first + i);
    const scored = {
      set: limitSet(test, record.testCount),
      scores: pickScores(set.scores, testPositions),
    };

    // server: the scheme and both baselines on the same scores and images
    const server = new Server(record.infos.map(savedEndpoint));
    const evaluations = {} as Record<ClassifierVariant, Evaluation>;
    try {
      for (const [i, variant] of CLASSIFIER_VARIANTS.entries()) {
        events.onVariant?.(variant);
        evaluations[variant] = await fitAndEvaluate(
          server,
          labelled,
          scored,
          record.infos,
          {
            classifier: {
              ...DEFAULT_CLASSIFIER_OPTIONS,
              height: train.height,
              width: train.width,
              epochs: this.options.classifierEpochs,
              minSteps: this.options.classifierMinSteps,
              augment: AUGMENTATION_PRESETS[cell.dataset],
              inputs: INPUTS[variant],
            },
            seed: cell.seed,
          },
          {
            onClassifierEpoch: (e, n, loss) => {
              events.onProgress?.((i + e / n) / CLASSIFIER_VARIANTS.length);
              events.onClassifierEpoch?.(e, n, loss);
            },
          },
        );
      }
    } finally {
      server.dispose();
    }

    const { scheme, images, scores } = evaluations;
    return {
      format: 'semipriv-cell',
      formatVersion: 1,
      ...cell,
      backend: this.backend,
      leakage: split.leakage,
      nPrivate: split.nPrivate,
      nTest: scored.set.count,
      accuracy: {
        scheme: scheme.testAccuracy,
        images: images.testAccuracy,
        scores: scores.testAccuracy,
        zeroLeakage: scheme.zeroLeakageAccuracy,
      },
      clients: scheme.clients,
      confusion: confusionMatrix(scheme.predicted, scored.set.labels, record.infos.length),
      seconds: {
        scheme: scheme.classifierSeconds,
        images: images.classifierSeconds,
        scores: scores.classifierSeconds,
      },
    };
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool) await (await pool).close();
  }

  async dataFingerprint(name: DatasetName): Promise<string> {
    const { train, test } = await this.dataset(name);
    const hash = createHash('sha256');
    for (const part of [train.images, train.labels, test.images, test.labels]) hash.update(part);
    return hash.digest('hex');
  }

  private dataset(name: DatasetName): Promise<Dataset> {
    let loading = this.datasets.get(name);
    if (!loading) {
      loading = loadDataset(name, { dataDir: this.options.dataDir });
      this.datasets.set(name, loading);
    }
    return loading;
  }

  private startPool(): Promise<WorkerPool> {
    this.pool ??= WorkerPool.start(this.options.workers, this.backend, this.options.projectKernels);
    return this.pool;
  }
}

/**
 * A client as the server of a cell sees it: its scores are already saved, so it
 * is never asked for more.
 */
function savedEndpoint(info: ClientInfo): ClientEndpoint {
  return {
    label: info.label,
    info: () => Promise.resolve(info),
    score: () =>
      Promise.reject(
        new SemiprivError(
          'SP_INTERNAL',
          `client ${info.label} of a saved client set was asked to score`,
        ),
      ),
  };
}
