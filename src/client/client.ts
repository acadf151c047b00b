/**
 * A data owner: holds the images of one class, trains a BIB-AE on them and answers score
 * requests. Nothing but the two scores per probe and the facts in {@link ClientInfo} leaves it.
 */
import { createHash } from 'node:crypto';
import { BibAe, type BibAeOptions, type Scores } from '../model/bibae.js';
import { imagesToTensor } from '../model/images.js';
import type { WeightEntry } from '../model/params.js';
import { trainBibAe, type EpochReport } from '../model/train.js';
import { createRng } from '../random.js';
import { SemiprivError } from '../errors.js';
import type { ClientInfo, ProbeBatch } from '../transport/types.js';

/** Options of {@link Client.train}. */
export interface ClientTrainOptions {
  /** The class of the client's images. */
  label: number;
  /** Passes over the training images. */
  epochs: number;
  /** Images per training step. */
  batchSize: number;
  /** Run seed; the client draws its own stream from it by label. */
  seed: number;
  /** BIB-AE architecture and optimiser settings. */
  model: BibAeOptions;
}

/**
 * A trained client.
 *
 * @example
 * const client = Client.train(pixels, count, { label: 3, epochs: 50, batchSize: 32, seed: 0,
 *   model: DEFAULT_BIBAE_OPTIONS });
 * const scores = client.score({ images: probe, count: 1, height: 28, width: 28 });
 */
export class Client {
  readonly label: number;
  readonly model: BibAe;
  readonly errorStats: { mean: number; std: number };

  private constructor(label: number, model: BibAe, errorStats: { mean: number; std: number }) {
    this.label = label;
    this.model = model;
    this.errorStats = errorStats;
  }

  /** Trains a client on its private images (`count × height × width`, 0–255). */
  static train(
    pixels: Uint8Array,
    count: number,
    options: ClientTrainOptions,
    onEpoch?: (report: EpochReport) => void,
  ): Client {
    // one stream per client, so the result does not depend on which thread trains it
    const rng = createRng(options.seed).fork(1000 + options.label);
    const model = trainBibAe(pixels, count, options, rng, onEpoch);
    const { height, width } = options.model;
    const own = scoreModel(model, { images: pixels, count, height, width });
    return new Client(options.label, model, logStats(own.reconstructionError));
  }

  /** Rebuilds a client from saved weights. */
  static fromWeights(
    label: number,
    options: BibAeOptions,
    weights: readonly WeightEntry[],
    errorStats: { mean: number; std: number },
  ): Client {
    const model = new BibAe(options, createRng(0));
    model.importWeights(weights);
    return new Client(label, model, errorStats);
  }

  /** The two scores of every probe. */
  score(probes: ProbeBatch): Scores {
    const { height, width } = this.model.options;
    if (probes.height !== height || probes.width !== width) {
      throw new SemiprivError(
        'SP_SHAPE',
        `client ${this.label}: expected ${height}×${width} probes, received ` +
          `${probes.height}×${probes.width}`,
      );
    }
    return scoreModel(this.model, probes);
  }

  /** Public facts: label, image shape, weight fingerprint and error statistics. */
  info(): ClientInfo {
    const { height, width } = this.model.options;
    return {
      label: this.label,
      height,
      width,
      fingerprint: fingerprint(this.model.exportWeights()),
      errorStats: this.errorStats,
    };
  }

  /** Frees the model's tensors. */
  dispose(): void {
    this.model.dispose();
  }
}

function scoreModel(model: BibAe, probes: ProbeBatch): Scores {
  const x = imagesToTensor(probes.images, probes.count, probes.height, probes.width);
  try {
    return model.score(x);
  } finally {
    x.dispose();
  }
}

function logStats(errors: Float32Array): { mean: number; std: number } {
  let sum = 0;
  let sumSq = 0;
  for (const e of errors) {
    const v = Math.log(e + 1e-8);
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / errors.length;
  const variance = Math.max(sumSq / errors.length - mean * mean, 1e-12);
  return { mean, std: Math.sqrt(variance) };
}

/** SHA-256 over every weight's name, shape and bytes, in order. */
export function fingerprint(weights: readonly WeightEntry[]): string {
  const hash = createHash('sha256');
  for (const w of weights) {
    hash.update(`${w.name}:${w.shape.join('x')};`);
    hash.update(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength));
  }
  return hash.digest('hex');
}
