/**
 * Synthetic experiment steps: seeded made-up scores and accuracies in place of
 * trained models, so that the experiment's bookkeeping (resuming, saving, the
 * report) runs in milliseconds. Nothing here is a result; the backend is
 * reported as `cpu`.
 */
import type { DatasetName } from '../data/types.js';
import { SemiprivError } from '../errors.js';
import type { Scores } from '../model/bibae.js';
import { createRng } from '../random.js';
import { confusionMatrix } from '../report/metrics.js';
import { fitMinMax } from '../server/scaling.js';
import { scoreFeatures } from '../server/server.js';
import { evaluateClients } from '../simulation/evaluate.js';
import type { ClientInfo } from '../transport/types.js';
import type { CellSpec, ClientSetSpec } from './grid.js';
import type { CellRecord } from './records.js';
import {
  CLASSIFIER_VARIANTS,
  type ClientSetManifest,
  type ExperimentSteps,
  type ScoredClientSet,
  type StepEvents,
} from './steps.js';

/** Options of {@link SyntheticSteps}. */
export interface SyntheticOptions {
  /** Test probes per client set (labels cycle through 0–9). */
  testCount?: number;
  /** Throw SP_INTERNAL when about to evaluate the cell with this key, as a crash would. */
  failAtCell?: string;
  /** Refuse client sets of more private images per client, as a class of this size would. */
  classSize?: number;
  /** The fingerprint of each dataset's images, as files with these contents would give. */
  fingerprints?: Partial<Record<DatasetName, string>>;
}

/**
 * Made-up steps that count how often each is called.
 *
 * @example
 * const steps = new SyntheticSteps({ testCount: 200 });
 * await runExperiment(options, steps);
 * steps.calls.evaluateCell; // cells evaluated in this run
 */
export class SyntheticSteps implements ExperimentSteps {
  readonly backend = 'cpu' as const;
  readonly calls = { scoreClientSet: 0, evaluateCell: 0, close: 0 };
  private readonly testCount: number;
  private readonly failAtCell?: string;
  private readonly classSize: number;
  private readonly fingerprints: Partial<Record<DatasetName, string>>;

  constructor(options: SyntheticOptions = {}) {
    this.fingerprints = options.fingerprints ?? {};
    this.testCount = options.testCount ?? 200;
    this.failAtCell = options.failAtCell;
    this.classSize = options.classSize ?? Infinity;
  }

  /** The fingerprint given for `dataset`, or one of its name. */
  async dataFingerprint(dataset: DatasetName): Promise<string> {
    return this.fingerprints[dataset] ?? `synthetic-${dataset}`;
  }

  /** Refuses an N_AE over the class size, as the real partition does. */
  async checkClientSet(spec: ClientSetSpec): Promise<void> {
    if (spec.nAe > this.classSize) {
      throw new SemiprivError(
        'SP_PARTITION',
        `asked for ${spec.nAe} images per client but a class holds ${this.classSize}`,
      );
    }
  }

  /** Ten made-up clients; the labelled images are the first max(N_classifier) indices. */
  async scoreClientSet(
    spec: ClientSetSpec,
    events: StepEvents,
  ): Promise<{ manifest: ClientSetManifest; scores: Scores[] }> {
    this.calls.scoreClientSet++;
    events.onScoring?.();
    const largest = Math.max(...spec.cells.map((c) => c.nClassifier));
    const labelledIndices = Array.from({ length: largest }, (_, i) => i);
    const testLabels = Array.from({ length: this.testCount }, (_, i) => i % 10);
    const probeLabels = [...labelledIndices.map((i) => i % 10), ...testLabels];
    const rng = createRng(spec.seed * 7919 + spec.nAe);

    // inliers reconstruct better and look more real to the discriminator
    const scores = Array.from({ length: 10 }, (_, label) => ({
      reconstructionError: Float32Array.from(probeLabels, (l) =>
        Math.exp(rng.normal() * 0.3 + (l === label ? -4 : -3)),
      ),
      discriminatorScore: Float32Array.from(probeLabels, (l) =>
        Math.min(1, Math.max(0, rng.normal() * 0.1 + (l === label ? 0.7 : 0.4))),
      ),
    }));
    const infos: ClientInfo[] = scores.map((_, label) => ({
      label,
      height: 28,
      width: 28,
      fingerprint: `synthetic-${spec.key}-${label}`,
      errorStats: { mean: -4, std: 0.3 },
    }));
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
        trainSeconds: infos.map(() => spec.nAe / 100),
        trainWallSeconds: spec.nAe / 50,
        scoringSeconds: 1,
        labelledIndices,
        nClassifier: spec.cells.map((c) => c.nClassifier),
        testCount: this.testCount,
        testLabels,
      },
      scores,
    };
  }

  /** A made-up cell whose accuracy grows with N_classifier and the seed. */
  async evaluateCell(
    cell: CellSpec,
    set: ScoredClientSet,
    events: StepEvents,
  ): Promise<CellRecord> {
    this.calls.evaluateCell++;
    if (cell.key === this.failAtCell) {
      throw new SemiprivError('SP_INTERNAL', `synthetic failure at ${cell.key}`);
    }
    for (const [i, variant] of CLASSIFIER_VARIANTS.entries()) {
      events.onVariant?.(variant);
      events.onProgress?.((i + 1) / CLASSIFIER_VARIANTS.length);
    }
    const { record } = set;
    const first = record.labelledIndices.length;
    const test: Scores[] = set.scores.map((s) => ({
      reconstructionError: s.reconstructionError.slice(first),
      discriminatorScore: s.discriminatorScore.slice(first),
    }));
    const labels = Uint8Array.from(record.testLabels);
    const features = scoreFeatures(test, record.testCount);

    // accuracy grows with the labelled subset; the seed moves it a little
    const accuracy = Math.min(0.99, 0.8 + cell.nClassifier / 50_000 + cell.seed / 1000);
    const predicted = labels.map((l, i) => (i / labels.length < accuracy ? l : (l + 1) % 10));
    return {
      format: 'semipriv-cell',
      formatVersion: 1,
      ...cell,
      backend: this.backend,
      leakage: cell.nClassifier / 60_000,
      nPrivate: 60_000,
      nTest: record.testCount,
      accuracy: {
        scheme: accuracy,
        images: accuracy - 0.05,
        scores: accuracy - 0.1,
        zeroLeakage: 0.7,
      },
      clients: evaluateClients(test, labels, record.infos, fitMinMax(features, 20)),
      confusion: confusionMatrix(predicted, labels, 10),
      seconds: { scheme: cell.nClassifier / 1000, images: 0.5, scores: 0.25 },
    };
  }

  /** Counts the call; there is nothing to release. */
  async close(): Promise<void> {
    this.calls.close++;
  }
}
