/**
 * `semipriv client train | score | serve`: what a data owner runs on their own machine.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Client } from '../client/client.js';
import { loadClientModel, saveClientModel } from '../client/model-dir.js';
import { createClientService } from '../client/service.js';
import { DEFAULT_IMAGE_SHAPE, readImages } from '../data/image-files.js';
import { isSemiprivError, SemiprivError } from '../errors.js';
import { nodeLogger } from '../log.js';
import { DEFAULT_BIBAE_OPTIONS } from '../model/bibae.js';
import { checkModelTarget } from '../model/weights-file.js';
import { writeScoresFile } from '../transport/scores-file.js';
import { integerFlag, type CommandSpec, type FlagSpec, type ParsedFlags } from './options.js';
import {
  BACKEND_FLAG,
  FORCE_FLAG,
  listenUntilSignal,
  requiredFlag,
  serveSettings,
  serveFlags,
  startBackend,
} from './service-flags.js';

// the server checks a client's facts while it scores, so each of its requests may hold two
const CLIENT_CONCURRENCY = 16;

const MODEL_DIR: FlagSpec = {
  name: 'model-dir',
  type: 'string',
  description: "Folder of the client's private model",
};
const IMAGES: FlagSpec = {
  name: 'images',
  type: 'string',
  description: 'IDX image file (.gz too), a 28×28 PNG/JPEG file, or a folder of them',
};

/** Flags of `semipriv client train`. */
export const CLIENT_TRAIN_SPEC: CommandSpec = {
  name: 'client train',
  summary: "train a client's BIB-AE on the owner's images of one class and save it",
  usage: 'semipriv client train --images PATH --label L --model-dir DIR [options]',
  flags: [
    IMAGES,
    { name: 'label', type: 'number', description: 'The class of the images (0–255)' },
    MODEL_DIR,
    { name: 'epochs', type: 'number', defaultText: '50', description: 'Training epochs' },
    { name: 'batch-size', type: 'number', defaultText: '32', description: 'Images per step' },
    {
      name: 'latent-dim',
      type: 'number',
      defaultText: String(DEFAULT_BIBAE_OPTIONS.latentDim),
      description: 'Size of the BIB-AE latent code',
    },
    { name: 'seed', type: 'number', defaultText: '0', description: 'Training seed' },
    {
      name: 'resize',
      type: 'boolean',
      description: 'Resize PNG/JPEG files of another size to 28×28 instead of refusing them',
    },
    FORCE_FLAG,
    BACKEND_FLAG,
  ],
  details:
    'The model folder is written whole or not at all; it never needs to leave this machine.\n' +
    'A model already in --model-dir is kept unless --force is given.',
};

/** Trains a client and saves it; returns the model folder. */
export async function clientTrainCommand(flags: ParsedFlags): Promise<string> {
  const dir = requiredFlag(flags, 'modelDir');
  if (flags.label === undefined) throw new SemiprivError('SP_OPTION', '--label is required');
  const label = integerFlag(flags, 'label', 0);
  if (label > 255) {
    throw new SemiprivError('SP_OPTION', `--label: expected 0–255, received ${label}`);
  }
  const epochs = integerFlag(flags, 'epochs', 50, 1);
  const batchSize = integerFlag(flags, 'batchSize', 32, 1);
  const latentDim = integerFlag(flags, 'latentDim', DEFAULT_BIBAE_OPTIONS.latentDim, 1);
  const seed = integerFlag(flags, 'seed', 0);
  const replace = flags.force === true;
  await checkModelTarget(dir, 'client', replace);
  await startBackend(flags);

  // images: the BIB-AE halves height and width twice
  const path = requiredFlag(flags, 'images');
  const reading = { resize: flags.resize === true, flag: '--images', oneClass: label };
  const set = await readImages(path, reading).catch((error: unknown) => {
    if (!isSemiprivError(error) || error.code !== 'SP_SHAPE') throw error;
    const { height, width } = DEFAULT_IMAGE_SHAPE;
    throw new SemiprivError('SP_SHAPE', error.message, {
      cause: error,
      hint: `Pass --resize to scale PNG and JPEG files of another size to ${width}×${height}.`,
    });
  });
  if (set.height % 4 !== 0 || set.width % 4 !== 0) {
    throw new SemiprivError(
      'SP_SHAPE',
      `${path}: expected images whose height and width are multiples of 4, ` +
        `received ${set.width}×${set.height}`,
    );
  }

  // training, with a log line at each fifth of it
  const log = nodeLogger('client', label);
  const model = { ...DEFAULT_BIBAE_OPTIONS, height: set.height, width: set.width, latentDim };
  const step = Math.max(1, Math.round(epochs / 5));
  const client = Client.train(
    set.images,
    set.count,
    { label, epochs, batchSize, seed, model },
    (r) => {
      if (r.epoch % step === 0 || r.epoch === epochs) {
        log.info({ epoch: r.epoch, epochs, reconstruction: r.losses.reconstruction }, 'epoch');
      }
    },
  );
  try {
    const training = { epochs, batchSize, images: set.count, seed };
    const manifest = await saveClientModel(dir, client, training, { replace });
    const images = set.count === 1 ? '1 image' : `${set.count} images`;
    process.stdout.write(
      `client ${label}: trained on ${images}, saved to ${dir} ` +
        `(fingerprint ${manifest.fingerprint.slice(0, 12)}…)\n`,
    );
  } finally {
    client.dispose();
  }
  return dir;
}

/** Flags of `semipriv client score`. */
export const CLIENT_SCORE_SPEC: CommandSpec = {
  name: 'client score',
  summary: 'score probe images into a scores file for the server (the offline exchange)',
  usage: 'semipriv client score --model-dir DIR --images PATH --out FILE',
  flags: [
    MODEL_DIR,
    { ...IMAGES, description: 'The labelled images the server sent: IDX file or image folder' },
    { name: 'out', type: 'string', description: 'Scores file to write (JSON; replaces one there)' },
    BACKEND_FLAG,
  ],
  details:
    'The file holds the label, the weight fingerprint, a hash of the images scored and two\n' +
    'numbers per image; hand it to the server operator for `semipriv server train --scores`.',
};

/** Scores probe images into a scores file; returns its path. */
export async function clientScoreCommand(flags: ParsedFlags): Promise<string> {
  const dir = requiredFlag(flags, 'modelDir');
  const path = requiredFlag(flags, 'images');
  const out = requiredFlag(flags, 'out');
  await checkOutputFile(out);
  await startBackend(flags);
  const { client, manifest } = await loadClientModel(dir);
  try {
    const probes = await readImages(path, { shape: manifest.image, flag: '--images' });
    await writeScoresFile(out, client.info(), probes, client.score(probes));
    process.stdout.write(`client ${client.label}: scored ${probes.count} images into ${out}\n`);
  } finally {
    client.dispose();
  }
  return out;
}

/** Refuses an `--out` that cannot be written, before any scoring time is spent. */
async function checkOutputFile(out: string): Promise<void> {
  const refuse = (received: string): SemiprivError =>
    new SemiprivError(
      'SP_FILE',
      `--out ${out}: expected a file in a writable folder, ${received}`,
      {
        hint: 'Name a file to write, in a folder that exists.',
      },
    );
  if (out.endsWith('/') || out.endsWith(sep)) throw refuse('received a folder path');
  if ((await stat(out).catch(() => null))?.isDirectory() === true)
    throw refuse('received a folder');
  await access(dirname(resolve(out)), constants.W_OK).catch((error: NodeJS.ErrnoException) => {
    throw refuse(`but its folder cannot be written (${error.code ?? 'unknown'})`);
  });
}

/** Flags of `semipriv client serve`. */
export const CLIENT_SERVE_SPEC: CommandSpec = {
  name: 'client serve',
  summary: 'answer score requests from the server over HTTP(S)',
  usage: 'semipriv client serve --model-dir DIR [--port P] --token T|$SEMIPRIV_TOKEN [options]',
  flags: [
    MODEL_DIR,
    { name: 'port', type: 'number', defaultText: '7070', description: 'Port; 0 picks a free one' },
    ...serveFlags(CLIENT_CONCURRENCY),
    {
      name: 'label',
      type: 'number',
      description: 'Refuse to start unless the model holds this class',
    },
    BACKEND_FLAG,
  ],
  details:
    'Routes: POST /v1/scores, GET /v1/info, GET /healthz (no token), GET /openapi.json.\n' +
    'Prints "client L listening on URL" once ready. Weights and images are never sent.',
};

/** Serves a client until SIGINT or SIGTERM; returns the URL it listens on. */
export async function clientServeCommand(flags: ParsedFlags): Promise<string> {
  const dir = requiredFlag(flags, 'modelDir');
  const label = flags.label === undefined ? undefined : integerFlag(flags, 'label', 0);
  const { port, ...serve } = await serveSettings(flags, {
    port: 7070,
    maxConcurrent: CLIENT_CONCURRENCY,
  });
  await startBackend(flags);

  const { client } = await loadClientModel(dir, { label });
  const app = createClientService({ client, ...serve });
  return listenUntilSignal(app, flags, port, `client ${client.label}`);
}
