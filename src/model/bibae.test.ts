import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend.js';
import { tf } from '../engine/tf.js';
import { createRng } from '../random.js';
import { BibAe, DEFAULT_BIBAE_OPTIONS, type BibAeOptions } from './bibae.js';
import { imagesToTensor } from './images.js';
import { trainBibAe } from './train.js';

const SMALL: BibAeOptions = { ...DEFAULT_BIBAE_OPTIONS, latentDim: 8, convChannels: [4, 8] };

/** Bright squares at random places: a simple, learnable "class". */
function squares(count: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const pixels = new Uint8Array(count * 784);
  for (let n = 0; n < count; n++) {
    const r0 = 4 + rng.int(12);
    const c0 = 4 + rng.int(12);
    for (let r = r0; r < r0 + 8; r++) {
      for (let c = c0; c < c0 + 8; c++) pixels[n * 784 + r * 28 + c] = 255;
    }
  }
  return pixels;
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('BibAe', () => {
  it('has a zero KL term when the encoder outputs mean 0 and log-variance 0', () => {
    const model = new BibAe(SMALL, createRng(0));
    for (const v of model.encoder.list()) v.assign(tf.zerosLike(v));
    const x = imagesToTensor(squares(4, 1), 4, 28, 28);
    const losses = model.trainStep(x, createRng(1));
    // KL(N(0, 1) || N(0, 1)) = 0 for every dimension, before the step changes the weights
    expect(losses.kl).toBeCloseTo(0, 6);
    x.dispose();
    model.dispose();
  });

  it('lowers the reconstruction loss while training on one class', () => {
    const pixels = squares(32, 2);
    const seen: number[] = [];
    const model = trainBibAe(
      pixels,
      32,
      { epochs: 20, batchSize: 16, model: SMALL },
      createRng(3),
      (r) => seen.push(r.losses.reconstruction),
    );
    expect(seen).toHaveLength(20);
    expect(seen[19]).toBeLessThan(0.75 * seen[0]);
    model.dispose();
  });

  it('gives the same scores twice, and again after a weight round trip', () => {
    const model = new BibAe(SMALL, createRng(4));
    const x = imagesToTensor(squares(5, 5), 5, 28, 28);
    const first = model.score(x);
    const second = model.score(x);
    expect(Array.from(second.reconstructionError)).toEqual(Array.from(first.reconstructionError));

    const copy = new BibAe(SMALL, createRng(99));
    copy.importWeights(model.exportWeights());
    const third = copy.score(x);
    expect(Array.from(third.discriminatorScore)).toEqual(Array.from(first.discriminatorScore));

    // the error is the per-pixel mean squared error: check one probe by hand
    const xHat = model.decode(model.encode(x).mean);
    const diff = tf.mean(tf.squaredDifference(x.slice(0, 1), xHat.slice(0, 1))).dataSync()[0];
    expect(first.reconstructionError[0]).toBeCloseTo(diff, 6);
    tf.dispose([x, xHat]);
    model.dispose();
    copy.dispose();
  });

  it('keeps the number of live tensors constant from one epoch to the next', () => {
    const counts: number[] = [];
    const model = trainBibAe(
      squares(20, 6),
      20,
      { epochs: 4, batchSize: 8, model: SMALL },
      createRng(7),
      () => counts.push(tf.memory().numTensors),
    );
    expect(counts[3]).toBe(counts[1]);
    expect(counts[2]).toBe(counts[1]);
    model.dispose();
  });
});
