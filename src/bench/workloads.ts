/**
 * What the benchmark times, on real MNIST images and the default
 * architectures: one client's BIB-AE training, a client scoring probes, the
 * server classifier's training, and probes classified end to end. Each runs
 * on the kernels registered in the calling thread, so the main thread and the
 * benchmark's workers share this module.
 */
import { Client } from '../client/client.js';
import { tf, type Tensor4D } from '../engine/tf.js';
import type { ImageSet } from '../data/types.js';
import {
  registerMissingWasmKernels,
  registerWasmKernels,
  unregisterWasmKernels,
} from '../engine/kernels/index.js';
import { BibAe, DEFAULT_BIBAE_OPTIONS, type Scores } from '../model/bibae.js';
import {
  Classifier,
  DEFAULT_CLASSIFIER_OPTIONS,
  type ClassifierData,
} from '../model/classifier.js';
import { imagesToTensor } from '../model/images.js';
import { createRng, shuffle } from '../random.js';
import * as scaling from '../server/scaling.js';
import { scoreFeatures } from '../server/server.js';
import { DEFAULT_RUN_OPTIONS } from '../simulation/run.js';

/** Which wasm kernels run: semipriv's fast ones or TensorFlow.js's own. */
export type KernelSet = 'semipriv' | 'stock';

/**
 * Registers a kernel set in this thread. The stock set has no
 * Conv2DBackpropFilter and could not train at all, so it borrows semipriv's.
 *
 * @example
 * useKernels('stock'); // time something, then useKernels('semipriv')
 */
export function useKernels(set: KernelSet): void {
  if (set === 'semipriv') {
    registerWasmKernels();
    return;
  }
  unregisterWasmKernels();
  registerMissingWasmKernels();
}

/** The first `count` images of class `label`, N × 28 × 28 pixels. */
export function classImages(set: ImageSet, label: number, count: number): Uint8Array {
  const size = set.height * set.width;
  const out = new Uint8Array(count * size);
  let found = 0;
  for (let i = 0; i < set.count && found < count; i++) {
    if (set.labels[i] !== label) continue;
    out.set(set.images.subarray(i * size, (i + 1) * size), found * size);
    found++;
  }
  return out.subarray(0, found * size);
}

/** The first `count` images of a set. */
export function firstImages(set: ImageSet, count: number): Uint8Array {
  return set.images.subarray(0, count * set.height * set.width);
}

/**
 * One client's BIB-AE in training, an epoch at a time: trainBibAe's loop
 * (seeded shuffle, mini-batches of the run's size), held open between
 * repetitions so that each times steady training, as in a 50-epoch run, not
 * the building of a model.
 */
export class ClientTrainer {
  private readonly model: BibAe;
  private readonly images: Tensor4D;
  private readonly order: number[];
  private readonly rng = createRng(0);

  constructor(pixels: Uint8Array, count: number) {
    this.model = new BibAe(DEFAULT_BIBAE_OPTIONS, this.rng.fork(1));
    this.images = imagesToTensor(pixels, count, 28, 28);
    this.order = Array.from({ length: count }, (_, i) => i);
  }

  /** One pass over the images. */
  epoch(): void {
    const { batchSize } = DEFAULT_RUN_OPTIONS;
    shuffle(this.rng, this.order);
    for (let start = 0; start < this.order.length; start += batchSize) {
      const idx = this.order.slice(start, start + batchSize);
      const batch = tf.tidy(() => tf.gather(this.images, idx) as Tensor4D);
      this.model.trainStep(batch, this.rng);
      batch.dispose();
    }
  }

  /** Frees the model and images. */
  dispose(): void {
    this.model.dispose();
    this.images.dispose();
  }
}

/**
 * Clients with freshly initialised weights. Scoring costs the same whatever
 * the weights, so training them first would only slow the benchmark.
 */
export function untrainedClients(count: number, firstLabel = 0): Client[] {
  return Array.from({ length: count }, (_, i) => {
    const label = firstLabel + i;
    const model = new BibAe(DEFAULT_BIBAE_OPTIONS, createRng(label));
    const weights = model.exportWeights();
    model.dispose();
    const stats = { mean: 0, std: 1 };
    return Client.fromWeights(label, DEFAULT_BIBAE_OPTIONS, weights, stats);
  });
}

/** Every client's scores of `count` 28×28 probes, through the client API. */
export function scoreAll(clients: readonly Client[], pixels: Uint8Array, count: number): Scores[] {
  const probes = { images: pixels, count, height: 28, width: 28 };
  return clients.map((c) => c.score(probes));
}

/**
 * The server's labelled subset: real images and labels with stand-in scores
 * in [0, 1], since the classifier's cost does not depend on their values.
 */
export function labelledData(set: ImageSet, count: number): ClassifierData {
  const rng = createRng(7);
  const scores = new Float32Array(count * DEFAULT_CLASSIFIER_OPTIONS.numScores);
  for (let i = 0; i < scores.length; i++) scores[i] = rng.next();
  return {
    pixels: firstImages(set, count),
    scores,
    labels: set.labels.subarray(0, count),
    count,
  };
}

/** One epoch of the default server classifier, augmentation included. */
export async function trainClassifier(data: ClassifierData): Promise<void> {
  const options = { ...DEFAULT_CLASSIFIER_OPTIONS, epochs: 1, minSteps: 0 };
  const classifier = new Classifier(options, createRng(1));
  await classifier.fit(data, createRng(2));
  classifier.dispose();
}

/** A step to profile, with what it holds to free afterwards. */
export interface StepWorkload {
  step: string;
  batchSize: number;
  run(): void | Promise<void>;
  dispose(): void;
}

/** One BIB-AE training step, over and over on the same batch. */
export function bibAeStep(pixels: Uint8Array, batchSize: number): StepWorkload {
  const rng = createRng(3);
  const model = new BibAe(DEFAULT_BIBAE_OPTIONS, rng);
  const x = imagesToTensor(pixels, batchSize, 28, 28);
  return {
    step: 'bibae-step',
    batchSize,
    run: () => {
      model.trainStep(x, rng);
    },
    dispose: () => {
      model.dispose();
      x.dispose();
    },
  };
}

/**
 * One step of the server classifier: one epoch of a fresh classifier on one
 * batch, augmentation included.
 */
export function classifierStep(data: ClassifierData): StepWorkload {
  return {
    step: 'classifier-step',
    batchSize: data.count,
    run: () => trainClassifier(data),
    dispose: () => undefined,
  };
}

/** The server's trained parts: score scaling and classifier. */
export interface ServerParts {
  scaler: scaling.StandardScaler;
  classifier: Classifier;
}

/**
 * A default classifier, initial weights, with scaling fitted on `data`. It answers from one
 * view of each image, as the PyTorch reference it is timed against does.
 */
export function untrainedServer(data: ClassifierData): ServerParts {
  const options = { ...DEFAULT_CLASSIFIER_OPTIONS, testViews: false };
  return {
    scaler: scaling.fitStandard(data.scores, DEFAULT_CLASSIFIER_OPTIONS.numScores),
    classifier: new Classifier(options, createRng(1)),
  };
}

/** The server's half of classification: features, scaling, classifier. */
export function classify(
  server: ServerParts,
  scores: readonly Scores[],
  pixels: Uint8Array,
  count: number,
): Float32Array {
  const features = scaling.applyStandard(server.scaler, scoreFeatures(scores, count));
  return server.classifier.predict(pixels, features, count);
}
