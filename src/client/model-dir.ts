/**
 * A client's private model on its owner's disk: BIB-AE weights and a manifest recording the
 * label, image shape, architecture, training settings, seed and error statistics. The directory
 * never leaves the owner's machine.
 */
import { SemiprivError } from '../errors.js';
import { JsonFields } from '../json-check.js';
import type { BibAeOptions } from '../model/bibae.js';
import {
  decodeWeights,
  encodeWeights,
  MANIFEST_FILE,
  readModelDir,
  writeModelDir,
  type WriteModelOptions,
} from '../model/weights-file.js';
import { Client, fingerprint } from './client.js';

/** How a client was trained, as its manifest records it. */
export interface ClientTraining {
  epochs: number;
  batchSize: number;
  /** Number of private images it trained on. */
  images: number;
  seed: number;
}

/** The manifest of a client model directory, beyond the common fields. */
export interface ClientManifest {
  label: number;
  image: { height: number; width: number };
  architecture: BibAeOptions;
  training: ClientTraining;
  errorStats: { mean: number; std: number };
  /** SHA-256 over the weights, as {@link fingerprint} computes it. */
  fingerprint: string;
  created: string;
}

/** What a caller expects of a model it loads; each given field must match the manifest. */
export interface ClientExpectation {
  label?: number;
  height?: number;
  width?: number;
}

/**
 * Saves a trained client atomically into `dir`.
 *
 * @example
 * const client = Client.train(pixels, count, options);
 * await saveClientModel('models/client-3', client, { epochs: 50, batchSize: 32,
 *   images: count, seed: 0 });
 */
export async function saveClientModel(
  dir: string,
  client: Client,
  training: ClientTraining,
  options: WriteModelOptions = {},
): Promise<ClientManifest> {
  const weights = client.model.exportWeights();
  const { height, width } = client.model.options;
  const fields = {
    label: client.label,
    image: { height, width },
    architecture: client.model.options,
    training,
    errorStats: client.errorStats,
    fingerprint: fingerprint(weights),
  };
  const created = await writeModelDir(dir, 'client', fields, encodeWeights(weights), options);
  return { ...fields, created };
}

/**
 * Loads a client saved by {@link saveClientModel}. Refuses with SP_MODEL_INVALID, naming the
 * file, when any file is missing or altered, or the manifest disagrees with `expect`.
 *
 * @example
 * const { client } = await loadClientModel('models/client-3', { label: 3 });
 */
export async function loadClientModel(
  dir: string,
  expect: ClientExpectation = {},
): Promise<{ client: Client; manifest: ClientManifest }> {
  const { manifest: m, files } = await readModelDir(dir, 'client');
  const where = `${dir}/${MANIFEST_FILE}`;
  const label = m.number('label', { integer: true, min: 0, max: 255 });
  const image = m.object('image');
  const height = image.number('height', { integer: true, min: 4 });
  const width = image.number('width', { integer: true, min: 4 });
  const architecture = readArchitecture(m.object('architecture'));
  if (architecture.height !== height || architecture.width !== width) {
    throw invalid(`${where}: image shape ${height}×${width} differs from the architecture's`);
  }
  for (const [key, found] of [
    ['label', label],
    ['height', height],
    ['width', width],
  ] as const) {
    const wanted = expect[key];
    if (wanted !== undefined && wanted !== found) {
      const hint =
        key === 'label'
          ? `Check --model-dir and --label: the model in that folder holds class ${found}.`
          : undefined;
      throw invalid(`${where}: expected ${key} ${wanted}, the manifest records ${found}`, { hint });
    }
  }
  const training = m.object('training');
  const stats = m.object('errorStats');
  const manifest: ClientManifest = {
    label,
    image: { height, width },
    architecture,
    training: {
      epochs: training.number('epochs', { integer: true, min: 0 }),
      batchSize: training.number('batchSize', { integer: true, min: 1 }),
      images: training.number('images', { integer: true, min: 0 }),
      seed: training.number('seed', { integer: true }),
    },
    errorStats: { mean: stats.number('mean'), std: stats.number('std', { min: 0 }) },
    fingerprint: m.string('fingerprint', /^[0-9a-f]{64}$/),
    created: m.string('created'),
  };

  // the weights must fit the architecture and hash to the recorded fingerprint
  const weights = decodeWeights(files, dir);
  if (fingerprint(weights) !== manifest.fingerprint) {
    throw invalid(`${dir}/weights.bin: the weights' fingerprint differs from ${where}`);
  }
  let client: Client;
  try {
    client = Client.fromWeights(label, architecture, weights, manifest.errorStats);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(`${dir}/weights.json: weights do not fit the architecture: ${reason}`, {
      cause: error,
    });
  }
  return { client, manifest };
}

function readArchitecture(a: JsonFields): BibAeOptions {
  const multipleOf4 = (key: string): number => {
    const v = a.number(key, { integer: true, min: 4 });
    if (v % 4 !== 0) throw invalid(`${a.where}: expected "${key}" a multiple of 4, received ${v}`);
    return v;
  };
  const channels = a.numbers('convChannels', 2, { integer: true, min: 1 });
  const w = a.object('lossWeights');
  return {
    height: multipleOf4('height'),
    width: multipleOf4('width'),
    latentDim: a.number('latentDim', { integer: true, min: 1 }),
    convChannels: [channels[0], channels[1]],
    latentHidden: a.number('latentHidden', { integer: true, min: 1 }),
    learningRate: a.number('learningRate', { min: 0 }),
    discriminatorLearningRate: a.number('discriminatorLearningRate', { min: 0 }),
    lossWeights: {
      kl: w.number('kl'),
      latentAdversarial: w.number('latentAdversarial'),
      reconstruction: w.number('reconstruction'),
      imageAdversarial: w.number('imageAdversarial'),
    },
  };
}

function invalid(message: string, options: { cause?: unknown; hint?: string } = {}): SemiprivError {
  return new SemiprivError('SP_MODEL_INVALID', message, options);
}
