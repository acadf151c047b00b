/**
 * The server's model on disk: classifier weights, the fitted score scaling, and the label and
 * weight fingerprint of every client whose scores it was trained on, so that a server never
 * classifies with scores from a model it was not trained with.
 */
import { SemiprivError } from '../errors.js';
import { JsonFields } from '../json-check.js';
import {
  Classifier,
  DEFAULT_CLASSIFIER_OPTIONS,
  type ClassifierOptions,
} from '../model/classifier.js';
import {
  decodeWeights,
  encodeWeights,
  MANIFEST_FILE,
  readModelDir,
  writeModelDir,
  type WriteModelOptions,
} from '../model/weights-file.js';
import { createRng } from '../random.js';
import type { StandardScaler } from './scaling.js';
import type { ServerModel } from './server.js';

/** A client as the server model records it. */
export interface ClientRecord {
  label: number;
  fingerprint: string;
}

/** The manifest of a server model directory, beyond the common fields. */
export interface ServerManifest {
  image: { height: number; width: number };
  classifier: ClassifierOptions;
  /** Clients in feature order (by label). */
  clients: ClientRecord[];
  training: { images: number; seed: number };
  created: string;
}

const SCALER_FILE = 'scaler.json';

/**
 * Saves a trained server model atomically into `dir`.
 *
 * @example
 * const model = await server.train(labelled, { classifier, seed: 0 });
 * await saveServerModel('models/server', model, infos, { images: labelled.count, seed: 0 });
 */
export async function saveServerModel(
  dir: string,
  model: ServerModel,
  clients: readonly ClientRecord[],
  training: { images: number; seed: number },
  options: WriteModelOptions = {},
): Promise<ServerManifest> {
  const records = model.labels.map((label) => {
    const found = clients.find((c) => c.label === label);
    if (!found) throw new SemiprivError('SP_INTERNAL', `no fingerprint for client ${label}`);
    return { label, fingerprint: found.fingerprint };
  });
  const { height, width } = model.classifier.options;
  const fields = {
    image: { height, width },
    classifier: model.classifier.options,
    clients: records,
    training,
  };
  const scaler = new TextEncoder().encode(`${JSON.stringify(model.scaler)}\n`);
  const files = { ...encodeWeights(model.classifier.exportWeights()), [SCALER_FILE]: scaler };
  const created = await writeModelDir(dir, 'server', fields, files, options);
  return { ...fields, created };
}

/**
 * Loads a server model saved by {@link saveServerModel}; refuses with SP_MODEL_INVALID, naming
 * the file, when a file is missing or altered or the manifest is inconsistent.
 *
 * @example
 * const { model, manifest } = await loadServerModel('models/server');
 * new Server(endpoints).load(model);
 */
export async function loadServerModel(
  dir: string,
): Promise<{ model: ServerModel; manifest: ServerManifest }> {
  const { manifest: m, files } = await readModelDir(dir, 'server');
  const where = `${dir}/${MANIFEST_FILE}`;
  const image = m.object('image');
  const height = image.number('height', { integer: true, min: 1 });
  const width = image.number('width', { integer: true, min: 1 });
  const clients = m.objects('clients').map((c) => ({
    label: c.number('label', { integer: true, min: 0, max: 255 }),
    fingerprint: c.string('fingerprint', /^[0-9a-f]{64}$/),
  }));
  const labels = clients.map((c) => c.label);
  if (labels.length === 0 || labels.some((l, i) => i > 0 && l <= labels[i - 1])) {
    throw invalid(
      `${where}: expected clients in increasing label order, received ${labels.join(',')}`,
    );
  }
  const classifier = readClassifierOptions(m.object('classifier'), where);
  if (classifier.height !== height || classifier.width !== width) {
    throw invalid(`${where}: image shape ${height}×${width} differs from the classifier's`);
  }
  if (classifier.numClasses !== labels.length || classifier.numScores !== 2 * labels.length) {
    throw invalid(`${where}: the classifier is not sized for ${labels.length} clients`);
  }
  const training = m.object('training');

  // the scaler has one column per score per client
  const scalerBytes = files.get(SCALER_FILE);
  if (!scalerBytes) throw invalid(`${where}: expected ${SCALER_FILE} among the model's files`);
  const scalerFile = new TextDecoder().decode(scalerBytes);
  const s = JsonFields.parse(scalerFile, `${dir}/${SCALER_FILE}`, 'SP_MODEL_INVALID');
  if (s.has('min') && !s.has('mean')) {
    throw invalid(
      `${dir}/${SCALER_FILE}: min–max scaling from an earlier semipriv; the server now ` +
        'standardises scores; train the server again',
      undefined,
      RETRAIN_HINT,
    );
  }
  const scaler: StandardScaler = {
    mean: s.numbers('mean', 2 * labels.length),
    std: s.numbers('std', 2 * labels.length),
  };

  const model = new Classifier(classifier, createRng(0));
  try {
    model.importWeights(decodeWeights(files, dir));
  } catch (error) {
    model.dispose();
    if (error instanceof SemiprivError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(`${dir}/weights.json: weights do not fit the classifier: ${reason}`, error);
  }
  return {
    model: { labels, scaler, classifier: model },
    manifest: {
      image: { height, width },
      classifier,
      clients,
      training: {
        images: training.number('images', { integer: true, min: 0 }),
        seed: training.number('seed', { integer: true }),
      },
      created: m.string('created'),
    },
  };
}

// the sizes and counts among the classifier's options
const WHOLE_OPTIONS = new Set([
  'height',
  'width',
  'numClasses',
  'numScores',
  'hiddenChannels',
  'outChannels',
  'kernelSize',
  'epochs',
  'minSteps',
  'batchSize',
]);

function readClassifierOptions(c: JsonFields, where: string): ClassifierOptions {
  // a setting added since the model was saved: the classifier would not train the same way
  const missing = Object.keys(DEFAULT_CLASSIFIER_OPTIONS).filter((key) => !c.has(key));
  if (missing.length > 0) {
    throw invalid(
      `${where}: the classifier settings lack ${missing.join(', ')}: the model was saved by an ` +
        'earlier semipriv; train the server again',
      undefined,
      RETRAIN_HINT,
    );
  }
  // the defaults list every option with its type, so one added later is read without edits here
  return c.like(DEFAULT_CLASSIFIER_OPTIONS, WHOLE_OPTIONS) as unknown as ClassifierOptions;
}

/** For a model that an earlier semipriv saved: restoring a copy would not help. */
const RETRAIN_HINT =
  'Train the server again with this semipriv: semipriv server train --labeled PATH ' +
  '(--clients URL,… or --scores FILE,…) --model-dir DIR.';

function invalid(message: string, cause?: unknown, hint?: string): SemiprivError {
  return new SemiprivError('SP_MODEL_INVALID', message, { cause, hint });
}
