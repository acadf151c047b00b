/**
 * The central server: asks every client for the scores of a batch of probes, fits the score
 * scaling and the global classifier on the labelled subset, and classifies new probes.
 */
import type { ImageSet } from '../data/types.js';
import { SemiprivError } from '../errors.js';
import { nodeLogger } from '../log.js';
import type { Scores } from '../model/bibae.js';
import { argmaxRows, Classifier, type ClassifierOptions } from '../model/classifier.js';
import { createRng } from '../random.js';
import type { ClientEndpoint, ProbeBatch } from '../transport/types.js';
import { applyStandard, fitStandard, type StandardScaler } from './scaling.js';

/** Options of {@link Server.train}. */
export interface ServerTrainOptions {
  /** Classifier architecture and training settings. */
  classifier: ClassifierOptions;
  /** Run seed. */
  seed: number;
}

/** What a trained server keeps: the client order, the score scaling and the classifier. */
export interface ServerModel {
  readonly labels: readonly number[];
  readonly scaler: StandardScaler;
  readonly classifier: Classifier;
}

/** A classification answer for a batch of probes. */
export interface Classification {
  /** Predicted label per probe. */
  predicted: Uint8Array;
  /** Row-major N × classes probabilities, columns in client-label order. */
  probabilities: Float32Array;
}

/**
 * Turns raw client scores into classifier features, row-major N × 2·clients: for client j,
 * column 2j is ln(reconstruction error) and 2j + 1 the discriminator score. The logarithm is
 * there because errors are heavy-tailed: on a log scale the clients' inlier and outlier errors
 * spread out instead of crowding near 0.
 */
export function scoreFeatures(perClient: readonly Scores[], count: number): Float32Array {
  const columns = perClient.length * 2;
  const out = new Float32Array(count * columns);
  perClient.forEach((scores, j) => {
    for (let i = 0; i < count; i++) {
      out[i * columns + 2 * j] = Math.log(scores.reconstructionError[i] + 1e-8);
      out[i * columns + 2 * j + 1] = scores.discriminatorScore[i];
    }
  });
  return out;
}

/**
 * The server side of the scheme.
 *
 * @example
 * const server = new Server(endpoints);
 * await server.train(labelled, { classifier: DEFAULT_CLASSIFIER_OPTIONS, seed: 0 });
 * const { predicted } = await server.classify(probes);
 */
export class Server {
  readonly endpoints: readonly ClientEndpoint[];
  private model: ServerModel | null = null;
  private readonly log = nodeLogger('server');

  constructor(endpoints: readonly ClientEndpoint[]) {
    this.endpoints = [...endpoints].sort((a, b) => a.label - b.label);
  }

  /** Client labels in feature order. */
  get labels(): number[] {
    return this.endpoints.map((e) => e.label);
  }

  /** Every client's raw scores for `probes`, asked of all clients at once. */
  async collectScores(probes: ProbeBatch): Promise<Scores[]> {
    return Promise.all(this.endpoints.map((e) => e.score(probes)));
  }

  /** Fits scaling and classifier on the labelled subset, whose scores it collects first. */
  async train(
    labelled: ImageSet,
    options: ServerTrainOptions,
    onEpoch?: (epoch: number, epochs: number, loss: number) => void,
  ): Promise<ServerModel> {
    // a label no client holds is refused before any client spends time scoring
    this.classTargets(labelled);
    const raw = scoreFeatures(await this.collectScores(labelled), labelled.count);
    return await this.fit(labelled, raw, options, onEpoch);
  }

  /** Each labelled image's class index among the clients; refuses a label no client holds. */
  private classTargets(labelled: ImageSet): Uint8Array {
    const labels = this.labels;
    const classIndex = new Map(labels.map((l, i) => [l, i]));
    const targets = new Uint8Array(labelled.count);
    for (let i = 0; i < labelled.count; i++) {
      const index = classIndex.get(labelled.labels[i]);
      if (index === undefined) {
        throw new SemiprivError(
          'SP_PARTITION',
          `labelled image ${i} has label ${labelled.labels[i]}, which no client holds ` +
            `(clients: ${labels.join(', ')})`,
          {
            hint:
              "Give the server labelled images of the clients' classes only, or add a client " +
              'for the missing class.',
          },
        );
      }
      targets[i] = index;
    }
    return targets;
  }

  /** Fits scaling and classifier on labelled images whose raw features are known. */
  async fit(
    labelled: ImageSet,
    rawFeatures: Float32Array,
    options: ServerTrainOptions,
    onEpoch?: (epoch: number, epochs: number, loss: number) => void,
  ): Promise<ServerModel> {
    const labels = this.labels;
    const targets = this.classTargets(labelled);

    // scaling statistics come from the labelled subset only
    const scaler = fitStandard(rawFeatures, labels.length * 2);
    const classifier = new Classifier(
      { ...options.classifier, numClasses: labels.length, numScores: labels.length * 2 },
      createRng(options.seed).fork(2000),
    );
    const loss = await classifier.fit(
      {
        pixels: labelled.images,
        scores: applyStandard(scaler, rawFeatures),
        labels: targets,
        count: labelled.count,
      },
      createRng(options.seed).fork(2001),
      onEpoch,
    );
    this.log.info({ images: labelled.count, loss }, 'classifier trained');

    this.model?.classifier.dispose();
    this.model = { labels, scaler, classifier };
    return this.model;
  }

  /** Installs a saved model. */
  load(model: ServerModel): void {
    this.model?.classifier.dispose();
    this.model = model;
  }

  /** Classifies probes from their pixels and raw features. */
  classifyFeatures(probes: ProbeBatch, rawFeatures: Float32Array): Classification {
    const model = this.requireModel();
    const probabilities = model.classifier.predict(
      probes.images,
      applyStandard(model.scaler, rawFeatures),
      probes.count,
    );
    const index = argmaxRows(probabilities, model.labels.length);
    const predicted = index.map((i) => model.labels[i]);
    return { predicted, probabilities };
  }

  /** Classifies probes, asking every client for their scores. */
  async classify(probes: ProbeBatch): Promise<Classification> {
    const raw = scoreFeatures(await this.collectScores(probes), probes.count);
    return this.classifyFeatures(probes, raw);
  }

  /** Frees the classifier. */
  dispose(): void {
    this.model?.classifier.dispose();
    this.model = null;
  }

  private requireModel(): ServerModel {
    if (!this.model) throw new SemiprivError('SP_MODEL_INVALID', 'the server has no trained model');
    return this.model;
  }
}
