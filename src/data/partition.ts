/**
 * How the training set is shared out. Each client (data owner) holds every
 * training image of one class as its private data and trains its autoencoder
 * on a seeded draw of them; the server receives a small stratified labelled
 * subset drawn from all clients' private data. The share of private data the
 * server sees is the leakage.
 */
import { SemiprivError } from '../errors.js';
import { nodeLogger } from '../log.js';
import { createRng, shuffle } from '../random.js';
import type { ImageSet } from './types.js';

/** How to partition a training set. */
export interface PartitionOptions {
  /** Images each client trains its autoencoder on (at least 1). */
  readonly nAe: number;
  /** Size of the server's labelled subset, over all classes (0 for none). */
  readonly nClassifier: number;
  /** Seed of every draw. */
  readonly seed: number;
  /** One client per label, in this order; default the labels seen, sorted. */
  readonly labels?: readonly number[];
}

/** One client's share of the training set, as indices into it. */
export interface ClientPartition {
  /** The class this client owns. */
  readonly label: number;
  /** Every training image of the class, ascending. */
  readonly privateIndices: readonly number[];
  /** The `nAe` private images its autoencoder trains on, in draw order. */
  readonly trainIndices: readonly number[];
}

/** The result of {@link partition}. */
export interface Partition {
  /** One entry per label, in label order. */
  readonly clients: readonly ClientPartition[];
  /** The server's labelled subset, shuffled so that classes are interleaved. */
  readonly labelledIndices: readonly number[];
  /** All clients' private images together. */
  readonly nPrivate: number;
  /** `nClassifier / nPrivate`: the share of private data the server sees. */
  readonly leakage: number;
}

/** Overlaps already reported, by label, N_AE, quota and class size. */
const overlapsWarned = new Set<string>();

/**
 * Shares a training set out among one client per class and the server.
 *
 * The server's labelled images are drawn from images outside the owning
 * client's autoencoder draw: an autoencoder reconstructs its own training
 * images better than unseen ones, so their scores would not look like the
 * scores of test probes.
 *
 * @example
 * const p = partition(mnist.train, { nAe: 2000, nClassifier: 1000, seed: 0 });
 * p.leakage; // 1000 / 60000
 */
export function partition(train: ImageSet, options: PartitionOptions): Partition {
  const { nAe, nClassifier, seed } = options;
  requireCount('nAe', nAe, 1);
  requireCount('nClassifier', nClassifier, 0);
  const labels = options.labels ?? distinctLabels(train.labels);
  requireDistinct(labels);

  // private data: every training image of the client's class
  const privateByLabel = new Map<number, number[]>();
  for (const label of labels) privateByLabel.set(label, []);
  train.labels.forEach((label, i) => privateByLabel.get(label)?.push(i));

  // per client: a seeded permutation of its private images, autoencoder first
  const base = createRng(seed);
  const labelled: number[] = [];
  const clients = labels.map((label, k): ClientPartition => {
    const privateIndices = privateByLabel.get(label) ?? [];
    const held = privateIndices.length;
    const quota = quotaOf(k, nClassifier, labels.length);
    requireHeld(label, 'N_AE, --n-ae', nAe, held);
    requireHeld(label, 'its share of N_classifier, --n-classifier', quota, held);
    const order = shuffle(base.fork(label), [...privateIndices]);

    // the labelled images come right after the autoencoder draw; only when the
    // class is too small for both does the window slide back into the draw, as
    // little as it can, and the overlap is reported
    const start = Math.min(nAe, held - quota);
    const warning = `${label}/${nAe}/${quota}/${held}`;
    if (start < nAe && !overlapsWarned.has(warning)) {
      // a run partitions the same way several times (checks, training, each cell): once is enough
      overlapsWarned.add(warning);
      nodeLogger('client', label).warn(
        { nAe, quota, held, overlap: nAe - start },
        'labelled images overlap the autoencoder training draw',
      );
    }
    labelled.push(...order.slice(start, start + quota));
    return { label, privateIndices, trainIndices: order.slice(0, nAe) };
  });

  // a stream no label uses keeps this shuffle apart from the clients' draws
  shuffle(base.fork(-1), labelled);
  const nPrivate = clients.reduce((sum, c) => sum + c.privateIndices.length, 0);
  const leakage = nClassifier / nPrivate;
  return { clients, labelledIndices: labelled, nPrivate, leakage };
}

/** Labelled images from the `k`-th class; the first classes get the rest. */
function quotaOf(k: number, nClassifier: number, nClasses: number): number {
  const extra = k < nClassifier % nClasses ? 1 : 0;
  return Math.floor(nClassifier / nClasses) + extra;
}

function distinctLabels(labels: Uint8Array): number[] {
  return [...new Set(labels)].sort((a, b) => a - b);
}

function requireCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new SemiprivError(
      'SP_OPTION',
      `${name} must be a whole number ≥ ${min}, received ${value}`,
    );
  }
}

function requireDistinct(labels: readonly number[]): void {
  if (labels.length === 0 || new Set(labels).size !== labels.length) {
    throw new SemiprivError(
      'SP_PARTITION',
      `expected one or more distinct labels, received [${labels.join(', ')}]`,
    );
  }
}

function requireHeld(label: number, what: string, asked: number, held: number): void {
  if (asked > held) {
    throw new SemiprivError(
      'SP_PARTITION',
      `class ${label}: asked for ${asked} images (${what}) but the class holds ${held}`,
    );
  }
}
