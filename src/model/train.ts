/**
 * The training loop of one client's BIB-AE: seeded shuffles, mini-batches, per-epoch losses.
 */
import { tf, type Tensor4D } from '../engine/tf.js';
import type { Rng } from '../random.js';
import { shuffle } from '../random.js';
import { BibAe, type BibAeLosses, type BibAeOptions } from './bibae.js';
import { imagesToTensor } from './images.js';

/** Options of {@link trainBibAe}. */
export interface TrainBibAeOptions {
  /** Passes over the training images. */
  epochs: number;
  /** Images per step; the last batch of an epoch may be smaller. */
  batchSize: number;
  /** Architecture and optimiser settings. */
  model: BibAeOptions;
}

/** Progress after one epoch. */
export interface EpochReport {
  epoch: number;
  epochs: number;
  losses: BibAeLosses;
}

/**
 * Trains a BIB-AE on `pixels` (N × height × width, 0–255) and returns it.
 *
 * @example
 * const model = trainBibAe(images, count, options, createRng(seed), (r) => log.debug(r));
 */
export function trainBibAe(
  pixels: Uint8Array,
  count: number,
  options: TrainBibAeOptions,
  rng: Rng,
  onEpoch?: (report: EpochReport) => void,
): BibAe {
  const { height, width } = options.model;
  const model = new BibAe(options.model, rng.fork(1));
  const order = Array.from({ length: count }, (_, i) => i);
  const stepRng = rng.fork(2);
  const all = imagesToTensor(pixels, count, height, width);

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    // a fresh seeded order each epoch
    shuffle(stepRng, order);
    const sums: BibAeLosses = {
      kl: 0,
      latentAdversarial: 0,
      reconstruction: 0,
      imageAdversarial: 0,
      discriminator: 0,
    };
    let steps = 0;

    for (let start = 0; start < count; start += options.batchSize) {
      const idx = order.slice(start, start + options.batchSize);
      const indices = tf.tensor1d(idx, 'int32');
      const batch = tf.gather(all, indices) as Tensor4D;
      const losses = model.trainStep(batch, stepRng);
      batch.dispose();
      indices.dispose();
      for (const key of Object.keys(sums) as (keyof BibAeLosses)[]) sums[key] += losses[key];
      steps++;
    }

    for (const key of Object.keys(sums) as (keyof BibAeLosses)[]) sums[key] /= steps;
    onEpoch?.({ epoch, epochs: options.epochs, losses: sums });
  }

  all.dispose();
  return model;
}
