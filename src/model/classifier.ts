/**
 * The server's global classifier: the image passes through two convolutions ending in 8
 * channels; their flattened output is concatenated with the clients' scaled scores and fed to
 * one dense layer and a softmax.
 */
import { tf, type Tensor2D, type Tensor4D, type Variable } from '../engine/tf.js';
import type { Rng } from '../random.js';
import { shuffle } from '../random.js';
import {
  AUGMENTATION_PRESETS,
  affineImages,
  moveImages,
  testViews,
  type AffineOptions,
} from './augment.js';
import { imagesToTensor } from './images.js';
import { ParamStore, type WeightEntry } from './params.js';

/** Architecture and training settings of the server classifier. */
export interface ClassifierOptions {
  height: number;
  width: number;
  /** Number of classes (= number of clients). */
  numClasses: number;
  /** Number of score features: 2 × number of clients. */
  numScores: number;
  /** Channels of the first convolution; the second always ends in 8. */
  hiddenChannels: number;
  /** Channels of the second convolution. */
  outChannels: number;
  /** Square kernel size of both convolutions. */
  kernelSize: number;
  /**
   * How each convolution halves the image: with stride 2, or with stride 1 followed by 2×2
   * max pooling (more work, more tolerant of small shifts).
   */
  downsample: 'stride' | 'pool';
  epochs: number;
  /**
   * The fewest optimizer steps (batches) of a training run: on a small labelled subset the
   * epochs are raised until training takes at least this many, since one pass over a few
   * hundred images moves the weights too little for the usual epoch count to converge.
   */
  minSteps: number;
  batchSize: number;
  learningRate: number;
  /**
   * Dropout rate on the image features during training. The scores are never dropped: a
   * probe's class shows in how the ten clients' scores compare, and dropping one column
   * erases part of that comparison.
   */
  dropout: number;
  /**
   * Random rotation, scaling and shift applied to each training image every epoch (all zero:
   * none). The image's scores stay those of the original probe: small moves keep the class,
   * and asking the clients to score every moved copy would multiply the scoring work.
   */
  augment: AffineOptions;
  /** L2 penalty on the dense layer's weights. */
  weightDecay: number;
  /**
   * What the dense layer sees: the scheme uses both; `images` alone and `scores` alone are the
   * baselines that show what each side contributes.
   */
  inputs: ClassifierInputs;
  /**
   * Average each test image's class probabilities over the image and the exact views of it
   * that `augment` also trains on (see {@link testViews}): small moves the classifier has
   * learnt to ignore, so that one unlucky position does not decide the class.
   */
  testViews: boolean;
}

/** The classifier's inputs. */
export type ClassifierInputs = 'both' | 'images' | 'scores';

/** Defaults for 28×28 images and ten clients. */
export const DEFAULT_CLASSIFIER_OPTIONS: ClassifierOptions = {
  height: 28,
  width: 28,
  numClasses: 10,
  numScores: 20,
  hiddenChannels: 32,
  outChannels: 8,
  kernelSize: 5,
  downsample: 'pool',
  epochs: 60,
  minSteps: 3200,
  batchSize: 32,
  learningRate: 3e-3,
  dropout: 0.25,
  augment: AUGMENTATION_PRESETS.mnist,
  weightDecay: 1e-4,
  inputs: 'both',
  testViews: true,
};

/** Training examples: images, their scaled scores and labels, row-aligned. */
export interface ClassifierData {
  /** N × height × width pixels, 0–255. */
  pixels: Uint8Array;
  /** N × numScores scaled scores in [0, 1]. */
  scores: Float32Array;
  labels: Uint8Array;
  count: number;
}

/**
 * The server classifier.
 *
 * @example
 * const clf = new Classifier(DEFAULT_CLASSIFIER_OPTIONS, createRng(0));
 * await clf.fit(data, rng);
 * const probabilities = clf.predict(pixels, scores, n); // n × numClasses
 */
export class Classifier {
  readonly options: ClassifierOptions;
  readonly params = new ParamStore('classifier');

  constructor(options: ClassifierOptions, rng: Rng) {
    this.options = options;
    const { kernelSize: k, hiddenChannels, outChannels, height, width } = options;
    const useImages = options.inputs !== 'scores';
    const useScores = options.inputs !== 'images';
    const p = this.params;
    const fanIn2 = k * k * hiddenChannels;
    if (useImages) {
      p.uniform('conv1/kernel', [k, k, 1, hiddenChannels], Math.sqrt(6 / (k * k)), rng);
      p.zeros('conv1/bias', [hiddenChannels]);
      p.uniform('conv2/kernel', [k, k, hiddenChannels, outChannels], Math.sqrt(6 / fanIn2), rng);
      p.zeros('conv2/bias', [outChannels]);
    }
    const imageFeatures = Math.ceil(height / 4) * Math.ceil(width / 4) * outChannels;
    const inDim = (useImages ? imageFeatures : 0) + (useScores ? options.numScores : 0);
    const limit = Math.sqrt(6 / (inDim + options.numClasses));
    p.uniform('out/kernel', [inDim, options.numClasses], limit, rng);
    p.zeros('out/bias', [options.numClasses]);
  }

  /** Class logits, [N, numClasses]. `images` in [0, 1], `scores` scaled. */
  logits(images: Tensor4D, scores: Tensor2D, dropoutSeed?: number): Tensor2D {
    const { inputs, dropout } = this.options;
    const parts: Tensor2D[] = [];
    if (inputs !== 'scores') {
      const h = this.convLayer(this.convLayer(images, 'conv1'), 'conv2');
      let imageFeatures: Tensor2D = tf.reshape(h, [images.shape[0], -1]);
      if (dropoutSeed !== undefined && dropout > 0) {
        imageFeatures = tf.dropout(imageFeatures, dropout, undefined, dropoutSeed) as Tensor2D;
      }
      parts.push(imageFeatures);
    }
    if (inputs !== 'images') parts.push(scores);
    const features = parts.length === 1 ? parts[0] : tf.concat(parts, 1);
    return tf.add(tf.matMul(features, this.params.get('out/kernel')), this.params.get('out/bias'));
  }

  /** One convolution + ReLU that halves height and width. */
  private convLayer(x: Tensor4D, name: string): Tensor4D {
    const p = this.params;
    const pool = this.options.downsample === 'pool';
    const y: Tensor4D = tf.relu(
      tf.add(tf.conv2d(x, kern(p, name), pool ? 1 : 2, 'same'), p.get(`${name}/bias`)),
    );
    return pool ? tf.maxPool(y, 2, 2, 'same') : y;
  }

  /**
   * Trains on `data` with Adam and softmax cross-entropy; returns the last epoch's loss. Each
   * epoch runs in one go; between epochs the event loop turns, so that signals and timers are
   * served during a long training.
   */
  async fit(
    data: ClassifierData,
    rng: Rng,
    onEpoch?: (epoch: number, epochs: number, loss: number) => void,
  ): Promise<number> {
    const { height, width, numScores, batchSize } = this.options;
    const epochs = trainingEpochs(this.options, data.count);
    const optimizer = new ScheduledAdam(this.options.learningRate);
    const scores = tf.tensor2d(data.scores, [data.count, numScores]);
    // float one-hot targets: softmaxCrossEntropy casts int32 ones inside its custom gradient,
    // which the engine reports as a leak
    const labels = tf.tidy(() =>
      tf.cast(tf.oneHot(tf.tensor1d(data.labels, 'int32'), this.options.numClasses), 'float32'),
    );
    const order = Array.from({ length: data.count }, (_, i) => i);
    let lastLoss = 0;

    const { augment, weightDecay } = this.options;
    const augmenting = augment.shift > 0 || augment.rotate > 0 || augment.scale > 0 || augment.flip;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      // cosine decay of the learning rate, from its full value to a tenth
      const progress = (epoch - 1) / Math.max(1, epochs - 1);
      optimizer.setLearningRate(
        this.options.learningRate * (0.1 + 0.45 * (1 + Math.cos(Math.PI * progress))),
      );

      // a freshly moved copy of every training image each epoch
      const pixels = augmenting
        ? affineImages(data.pixels, data.count, height, width, augment, rng)
        : data.pixels;
      const images = imagesToTensor(pixels, data.count, height, width);
      shuffle(rng, order);
      let sum = 0;
      let steps = 0;
      for (let start = 0; start < data.count; start += batchSize) {
        const seed = rng.uint32();
        const loss = tf.tidy(() => {
          const idx = tf.tensor1d(order.slice(start, start + batchSize), 'int32');
          const xb = tf.gather(images, idx) as Tensor4D;
          const sb = tf.gather(scores, idx) as Tensor2D;
          const yb = tf.gather(labels, idx) as Tensor2D;
          const value = optimizer.minimize(
            () => {
              const ce = tf.losses.softmaxCrossEntropy(yb, this.logits(xb, sb, seed));
              const l2 = tf.mul(weightDecay, tf.sum(tf.square(this.params.get('out/kernel'))));
              return tf.add(ce, l2) as tf.Scalar;
            },
            true,
            this.params.list(),
          );
          return value ?? tf.scalar(0);
        });
        sum += loss.dataSync()[0];
        loss.dispose();
        steps++;
      }
      images.dispose();
      lastLoss = sum / steps;
      onEpoch?.(epoch, epochs, lastLoss);
      await new Promise((resolve) => setImmediate(resolve));
    }

    scores.dispose();
    labels.dispose();
    optimizer.dispose();
    return lastLoss;
  }

  /**
   * Class probabilities, row-major N × numClasses: the mean over the test views when
   * `testViews` is on and the classifier sees images.
   */
  predict(pixels: Uint8Array, scores: Float32Array, count: number, batchSize = 500): Float32Array {
    const { height, width } = this.options;
    const useViews = this.options.testViews && this.options.inputs !== 'scores';
    const views = useViews ? testViews(this.options.augment) : [];
    const out = this.predictView(pixels, scores, count, batchSize);
    for (const view of views.slice(1)) {
      const moved = moveImages(pixels, count, height, width, view);
      const probs = this.predictView(moved, scores, count, batchSize);
      for (let i = 0; i < out.length; i++) out[i] += probs[i];
    }
    if (views.length > 1) for (let i = 0; i < out.length; i++) out[i] /= views.length;
    return out;
  }

  private predictView(
    pixels: Uint8Array,
    scores: Float32Array,
    count: number,
    batchSize: number,
  ): Float32Array {
    const { height, width, numScores, numClasses } = this.options;
    const out = new Float32Array(count * numClasses);
    for (let start = 0; start < count; start += batchSize) {
      const size = Math.min(batchSize, count - start);
      const probs = tf.tidy(() => {
        const px = pixels.subarray(start * height * width, (start + size) * height * width);
        const sc = scores.subarray(start * numScores, (start + size) * numScores);
        return tf.softmax(
          this.logits(imagesToTensor(px, size, height, width), tf.tensor2d(sc, [size, numScores])),
        );
      });
      out.set(probs.dataSync(), start * numClasses);
      probs.dispose();
    }
    return out;
  }

  /** The weights, for saving. */
  exportWeights(): WeightEntry[] {
    return this.params.export();
  }

  /** Loads weights saved by {@link exportWeights}. */
  importWeights(entries: readonly WeightEntry[]): void {
    this.params.import(entries);
  }

  /** Frees the weights. */
  dispose(): void {
    this.params.dispose();
  }
}

/** Adam whose learning rate can follow a schedule. */
class ScheduledAdam extends tf.AdamOptimizer {
  constructor(learningRate: number) {
    super(learningRate, 0.9, 0.999);
  }

  setLearningRate(value: number): void {
    this.learningRate = value;
  }
}

/**
 * The epochs a training run on `count` images takes: `options.epochs`, or more when that many
 * would take fewer than `options.minSteps` batches.
 *
 * @example
 * trainingEpochs({ epochs: 60, minSteps: 3200, batchSize: 32 }, 1000); // 100 (32 batches each)
 */
export function trainingEpochs(
  options: Pick<ClassifierOptions, 'epochs' | 'minSteps' | 'batchSize'>,
  count: number,
): number {
  const batches = Math.max(1, Math.ceil(count / options.batchSize));
  return Math.max(options.epochs, Math.ceil(options.minSteps / batches));
}

/** The most probable class of each row of N × numClasses probabilities. */
export function argmaxRows(probabilities: Float32Array, numClasses: number): Uint8Array {
  const n = probabilities.length / numClasses;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) {
      if (probabilities[i * numClasses + c] > probabilities[i * numClasses + best]) best = c;
    }
    out[i] = best;
  }
  return out;
}

function kern(p: ParamStore, name: string): Tensor4D {
  return p.get(`${name}/kernel`) as Variable as unknown as Tensor4D;
}
