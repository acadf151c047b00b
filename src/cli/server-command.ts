/**
 * `semipriv server train | serve`: what the server operator runs. Training asks every client
 * (over HTTP, or through the scores files their owners sent) for the labelled subset's scores
 * once; serving classifies images by asking every client for each request.
 */
import { readImages } from '../data/image-files.js';
import { SemiprivError } from '../errors.js';
import { nodeLogger } from '../log.js';
import { AUGMENTATION_NAMES, AUGMENTATION_PRESETS, augmentationPreset } from '../model/augment.js';
import { DEFAULT_CLASSIFIER_OPTIONS } from '../model/classifier.js';
import { checkModelTarget } from '../model/weights-file.js';
import { loadServerModel, saveServerModel } from '../server/model-dir.js';
import { Server } from '../server/server.js';
import { connectClients, createServerService } from '../server/service.js';
import { normaliseUrl, type HttpEndpointOptions } from '../transport/http-client.js';
import { checkDistinct, readScoresFile, ScoresFileEndpoint } from '../transport/scores-file.js';
import type { ClientEndpoint, ClientInfo } from '../transport/types.js';
import { integerFlag, type CommandSpec, type ParsedFlags } from './options.js';
import {
  BACKEND_FLAG,
  CLIENT_ACCESS_FLAGS,
  clientTokens,
  FORCE_FLAG,
  listenUntilSignal,
  requiredFlag,
  serveSettings,
  serveFlags,
  startBackend,
} from './service-flags.js';

const CLIENTS_FLAG = {
  name: 'clients',
  type: 'list',
  description: 'URLs of the client services, e.g. http://10.0.0.3:7070,…',
} as const;

/** Flags of `semipriv server train`. */
export const SERVER_TRAIN_SPEC: CommandSpec = {
  name: 'server train',
  summary: "train the server's classifier on the labelled subset and the clients' scores",
  usage:
    'semipriv server train --labeled PATH (--clients URL,… | --scores FILE,…) ' +
    '--model-dir DIR [options]',
  flags: [
    {
      name: 'labeled',
      type: 'string',
      description: 'Labelled images: IDX image file, or a folder with one subfolder per label',
    },
    {
      name: 'labeled-labels',
      type: 'string',
      defaultText: 'the …labels-idx1… file beside --labeled',
      description: 'IDX label file of an IDX --labeled',
    },
    CLIENTS_FLAG,
    {
      name: 'scores',
      type: 'list',
      description: 'Instead of --clients: the scores files the owners made with client score',
    },
    ...CLIENT_ACCESS_FLAGS,
    { name: 'model-dir', type: 'string', description: "Folder for the server's model" },
    {
      name: 'epochs',
      type: 'number',
      defaultText: String(DEFAULT_CLASSIFIER_OPTIONS.epochs),
      description: 'Classifier training epochs',
    },
    {
      name: 'min-steps',
      type: 'number',
      defaultText: String(DEFAULT_CLASSIFIER_OPTIONS.minSteps),
      description: 'Fewest classifier batches: more epochs on a small labelled subset',
    },
    {
      name: 'augment',
      type: 'string',
      choices: AUGMENTATION_NAMES,
      defaultText: 'mnist',
      description:
        'Random moves of the labelled images in training: shifts, rotations and scalings for digits (mnist), shifts, scalings and mirroring for garments (fashion-mnist), or none',
    },
    { name: 'seed', type: 'number', defaultText: '0', description: 'Training seed' },
    FORCE_FLAG,
    BACKEND_FLAG,
  ],
  details:
    'A class added later: start its client, then run server train again with every URL\n' +
    '(and --force to replace the model in --model-dir); no client retrains. The labelled\n' +
    'images never leave the server; the clients see them only as probes to score.',
};

/** Trains the server classifier and saves it; returns the model folder. */
export async function serverTrainCommand(flags: ParsedFlags): Promise<string> {
  const dir = requiredFlag(flags, 'modelDir');
  const epochs = integerFlag(flags, 'epochs', DEFAULT_CLASSIFIER_OPTIONS.epochs, 1);
  const minSteps = integerFlag(flags, 'minSteps', DEFAULT_CLASSIFIER_OPTIONS.minSteps);
  const seed = integerFlag(flags, 'seed', 0);
  const urls = listFlag(flags, 'clients');
  const scoreFiles = listFlag(flags, 'scores');
  if (urls.length > 0 === scoreFiles.length > 0) {
    const received = urls.length > 0 ? 'both' : 'neither';
    throw new SemiprivError(
      'SP_OPTION',
      `expected either --clients or --scores, received ${received}`,
    );
  }
  const replace = flags.force === true;
  await checkModelTarget(dir, 'server', replace);
  await startBackend(flags);

  // the labelled subset, then every client's scores of it
  const labeledPath = requiredFlag(flags, 'labeled');
  const labelsPath = typeof flags.labeledLabels === 'string' ? flags.labeledLabels : true;
  const labelled = await readImages(labeledPath, { labels: labelsPath, flag: '--labeled' });
  const shape = { height: labelled.height, width: labelled.width };
  let endpoints: ClientEndpoint[];
  let infos: ClientInfo[];
  if (urls.length > 0) {
    const clients = await connectClients(urls, accessOptions(flags, urls), shape);
    endpoints = clients.map((c) => c.endpoint);
    infos = clients.map((c) => c.info);
  } else {
    const files = await Promise.all(
      scoreFiles.map(async (path) => ({ path, file: await readScoresFile(path) })),
    );
    checkDistinct(files);
    endpoints = files.map(({ path, file }) => new ScoresFileEndpoint(file, path));
    infos = files.map(({ file }) => file.info);
  }

  // the classifier, trained once on the labelled subset
  const log = nodeLogger('server');
  const server = new Server(endpoints);
  const augment = AUGMENTATION_PRESETS[augmentationPreset(flags.augment)];
  const classifier = { ...DEFAULT_CLASSIFIER_OPTIONS, ...shape, epochs, minSteps, augment };
  try {
    const model = await server.train(labelled, { classifier, seed }, (epoch, total, loss) => {
      const step = Math.max(1, Math.round(total / 5));
      if (epoch % step === 0 || epoch === total) log.info({ epoch, epochs: total, loss }, 'epoch');
    });
    await saveServerModel(dir, model, infos, { images: labelled.count, seed }, { replace });
    process.stdout.write(
      `server: trained for clients ${model.labels.join(', ')} on ${labelled.count} ` +
        `labelled images, saved to ${dir}\n`,
    );
  } finally {
    server.dispose();
  }
  return dir;
}

/** Flags of `semipriv server serve`. */
export const SERVER_SERVE_SPEC: CommandSpec = {
  name: 'server serve',
  summary: 'classify images over HTTP(S), asking every client for scores',
  usage:
    'semipriv server serve --model-dir DIR --clients URL,… [--port P] ' +
    '--token T|$SEMIPRIV_TOKEN [options]',
  flags: [
    { name: 'model-dir', type: 'string', description: "Folder of the server's model" },
    CLIENTS_FLAG,
    ...CLIENT_ACCESS_FLAGS,
    { name: 'port', type: 'number', defaultText: '8080', description: 'Port; 0 picks a free one' },
    ...serveFlags(4),
    BACKEND_FLAG,
  ],
  details:
    'Routes: POST /v1/classify, GET /healthz (no token), GET /openapi.json. Refuses to start\n' +
    "unless every client's label and fingerprint match the model; checks them on every request.",
};

/** Serves the server until SIGINT or SIGTERM; returns the URL it listens on. */
export async function serverServeCommand(flags: ParsedFlags): Promise<string> {
  const dir = requiredFlag(flags, 'modelDir');
  const urls = listFlag(flags, 'clients');
  if (urls.length === 0) throw new SemiprivError('SP_OPTION', '--clients is required');
  const access = accessOptions(flags, urls);
  const { port, ...serve } = await serveSettings(flags, { port: 8080, maxConcurrent: 4 });
  await startBackend(flags);

  const { model, manifest } = await loadServerModel(dir);
  const clients = await connectClients(urls, access, manifest.image, manifest.clients);
  const server = new Server(clients.map((c) => c.endpoint));
  server.load(model);
  const app = createServerService({ server, shape: manifest.image, ...serve });
  return listenUntilSignal(app, flags, port, 'server');
}

function accessOptions(flags: ParsedFlags, urls: string[]): (url: string) => HttpEndpointOptions {
  const tokens = clientTokens(flags, urls.length);
  const byUrl = new Map(urls.map((u, i) => [normaliseUrl(u), tokens[i]]));
  const timeoutMs = integerFlag(flags, 'clientTimeout', 30_000, 1);
  return (url) => ({ token: byUrl.get(url) ?? tokens[0], timeoutMs });
}

function listFlag(flags: ParsedFlags, key: string): string[] {
  const value = flags[key];
  return Array.isArray(value) ? value.filter((v) => v !== '') : [];
}
