import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend.js';
import { tf, type Tensor4D } from '../engine/tf.js';
import { createRng } from '../random.js';
import { accuracy } from '../report/metrics.js';
import { moveImages, testViews } from './augment.js';
import {
  argmaxRows,
  Classifier,
  DEFAULT_CLASSIFIER_OPTIONS,
  trainingEpochs,
} from './classifier.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

/**
 * Three classes: a bright bar at the top, middle or bottom of the image. The scores carry no
 * information (all 0.5), so the convolutional branch has to learn.
 */
function bars(count: number, seed: number) {
  const rng = createRng(seed);
  const pixels = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const label = rng.int(3);
    labels[n] = label;
    const row0 = 2 + label * 9 + rng.int(3);
    for (let r = row0; r < row0 + 4; r++) {
      for (let c = 2; c < 26; c++) pixels[n * 784 + r * 28 + c] = 200 + rng.int(56);
    }
  }
  return { pixels, labels, scores: new Float32Array(count * 6).fill(0.5), count };
}

describe('Classifier', () => {
  const options = {
    ...DEFAULT_CLASSIFIER_OPTIONS,
    numClasses: 3,
    numScores: 6,
    hiddenChannels: 8,
    epochs: 6,
    minSteps: 0,
  };

  it('learns classes that only the image branch can tell apart', async () => {
    const clf = new Classifier(options, createRng(0));
    await clf.fit(bars(120, 1), createRng(1));
    const test = bars(60, 2);
    const probabilities = clf.predict(test.pixels, test.scores, test.count);
    expect(accuracy(argmaxRows(probabilities, 3), test.labels)).toBeGreaterThan(0.9);
    clf.dispose();
  });

  it('learns from the scores alone when asked to, ignoring the images', async () => {
    // class k has score column 2k high; the images are all blank
    const data = bars(90, 5);
    data.pixels.fill(0);
    data.scores.fill(0.1);
    for (let i = 0; i < data.count; i++) data.scores[i * 6 + 2 * data.labels[i]] = 0.9;
    const clf = new Classifier(
      { ...options, inputs: 'scores', epochs: 30, learningRate: 0.02 },
      createRng(6),
    );
    await clf.fit(data, createRng(7));
    const p = clf.predict(data.pixels, data.scores, data.count);
    expect(accuracy(argmaxRows(p, 3), data.labels)).toBe(1);
    expect(clf.params.list()).toHaveLength(2); // only the dense layer's kernel and bias
    clf.dispose();
  });

  it('drops image features during training but never scores', () => {
    // blank images give zero image features (the convolutions' biases start at 0), so a
    // training-time forward pass differs from the plain one only if scores are dropped
    const clf = new Classifier({ ...options, dropout: 0.5 }, createRng(2));
    const images = tf.zeros([4, 28, 28, 1]) as Tensor4D;
    const scores = tf.tensor2d(
      Array.from({ length: 24 }, (_, i) => (i % 7) / 7),
      [4, 6],
    );
    const plain = clf.logits(images, scores).arraySync();
    const training = clf.logits(images, scores, 11).arraySync();
    training.flat().forEach((v, i) => expect(v).toBeCloseTo(plain.flat()[i], 5));
    tf.dispose([images, scores]);
    clf.dispose();
  });

  it('answers probabilities that sum to one per probe', () => {
    const clf = new Classifier(options, createRng(3));
    const test = bars(7, 4);
    const p = clf.predict(test.pixels, test.scores, test.count);
    for (let i = 0; i < 7; i++) expect(p[3 * i] + p[3 * i + 1] + p[3 * i + 2]).toBeCloseTo(1, 5);
    clf.dispose();
  });

  it('averages its probabilities over the test views when asked to', () => {
    const test = bars(5, 8);
    const single = new Classifier({ ...options, testViews: false }, createRng(9));
    const viewed = new Classifier({ ...options, testViews: true }, createRng(9));
    const views = testViews(options.augment);
    const expected = new Float32Array(5 * 3);
    for (const view of views) {
      const moved = moveImages(test.pixels, 5, 28, 28, view);
      single.predict(moved, test.scores, 5).forEach((p, i) => (expected[i] += p / views.length));
    }
    const got = viewed.predict(test.pixels, test.scores, 5);
    expect(views.length).toBe(5);
    got.forEach((p, i) => expect(p).toBeCloseTo(expected[i], 6));
    // the views change the answer: an untrained classifier is not shift-invariant
    const plain = single.predict(test.pixels, test.scores, 5);
    expect(plain.some((p, i) => Math.abs(p - got[i]) > 1e-4)).toBe(true);
    single.dispose();
    viewed.dispose();
  });

  it('raises the epochs until training takes the fewest batches asked for', () => {
    const rule = { epochs: 60, minSteps: 3200, batchSize: 32 };
    expect(trainingEpochs(rule, 1000)).toBe(100); // 32 batches an epoch
    expect(trainingEpochs(rule, 1025)).toBe(97); // 33 batches an epoch
    expect(trainingEpochs(rule, 3000)).toBe(60); // 94 × 60 batches are enough
    expect(trainingEpochs({ ...rule, minSteps: 0 }, 10)).toBe(60);
  });

  it('reports the raised epoch count while training', async () => {
    const seen: number[] = [];
    const clf = new Classifier({ ...options, epochs: 1, minSteps: 3, batchSize: 32 }, createRng(0));
    await clf.fit(bars(32, 1), createRng(1), (epoch, epochs) => seen.push(epoch, epochs));
    expect(seen).toEqual([1, 3, 2, 3, 3, 3]);
    clf.dispose();
  });

  it('picks the largest entry of each row', () => {
    const p = new Float32Array([0.1, 0.7, 0.2, 0.5, 0.2, 0.3]);
    expect(Array.from(argmaxRows(p, 3))).toEqual([1, 0]);
  });
});
