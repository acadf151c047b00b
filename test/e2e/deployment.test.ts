/**
 * The real deployment on one machine: ten client processes and a server process talking
 * HTTP over loopback sockets, checked against the in-process path with the same models.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, fingerprint } from '../../src/client/client.js';
import { loadClientModel, saveClientModel } from '../../src/client/model-dir.js';
import { encodeIdx } from '../../src/data/idx.js';
import { loadDataset } from '../../src/data/load.js';
import { subset } from '../../src/data/subset.js';
import type { ImageSet } from '../../src/data/types.js';
import { initBackend } from '../../src/engine/backend.js';
import { DEFAULT_BIBAE_OPTIONS } from '../../src/model/bibae.js';
import { DEFAULT_CLASSIFIER_OPTIONS } from '../../src/model/classifier.js';
import { loadServerModel } from '../../src/server/model-dir.js';
import { Server } from '../../src/server/server.js';
import { InProcessEndpoint } from '../../src/transport/in-process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];
const CLIENT_TOKEN = 'e2e-client-token-0123456789';
const SERVER_TOKEN = 'e2e-server-token-0123456789';
const LABELS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const TINY = { ...DEFAULT_BIBAE_OPTIONS, latentDim: 16, convChannels: [8, 16] as [number, number] };
const CLASSIFIER_EPOCHS = 8;

const children: ChildProcess[] = [];
const clientUrls: string[] = [];
let dir: string;
let serverUrl: string;
let train: ImageSet;
let test: ImageSet;
let labelled: ImageSet;

/** The first `n` images of each label, from index `from` on. */
function firstOf(set: ImageSet, n: number, from: number, labels = LABELS): ImageSet {
  const picked = labels.flatMap((l) => {
    const of: number[] = [];
    for (let i = from; i < set.count && of.length < n; i++) if (set.labels[i] === l) of.push(i);
    return of;
  });
  return subset(set, picked);
}

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, SEMIPRIV_LOG_LEVEL: 'warn', ...extra };
}

/** Starts a serving command and resolves with the URL it prints once listening. */
function serve(args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: env(extraEnv) });
  children.push(child);
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (\S+)/.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`)));
  });
}

/** Runs a command to its end and resolves with its stdout. */
function run(args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: env(extraEnv) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${args.join(' ')}: ${stderr}`)),
    );
  });
}

function classify(set: ImageSet): Promise<Response> {
  return fetch(`${serverUrl}/v1/classify`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${SERVER_TOKEN}`,
      'content-type': 'application/octet-stream',
    },
    body: set.images,
  });
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  ({ train, test } = await loadDataset('mnist'));
  dir = await mkdtemp(join(tmpdir(), 'semipriv-e2e-'));

  // the owners: each trains on 30 images of its class and saves its private model
  for (const label of LABELS) {
    const own = firstOf(train, 30, 0, [label]);
    const options = { label, epochs: 1, batchSize: 16, seed: 0, model: TINY };
    const client = Client.train(own.images, own.count, options);
    await saveClientModel(join(dir, `client-${label}`), client, {
      ...options,
      images: own.count,
    });
    client.dispose();
  }

  // ten client processes, all at once; SEMIPRIV_TOKEN stands in for --token
  const urls = await Promise.all(
    LABELS.map((label) =>
      serve(['client', 'serve', '--model-dir', join(dir, `client-${label}`), '--port', '0'], {
        SEMIPRIV_TOKEN: CLIENT_TOKEN,
      }),
    ),
  );
  clientUrls.push(...urls);

  // the server: labelled subset as IDX files, trained through HTTP, then served
  labelled = firstOf(train, 20, 5000);
  const images = join(dir, 'labelled-images-idx3-ubyte');
  await writeFile(images, encodeIdx([labelled.count, 28, 28], labelled.images));
  await writeFile(
    join(dir, 'labelled-labels-idx1-ubyte'),
    encodeIdx([labelled.count], labelled.labels),
  );
  await run(
    [
      'server',
      'train',
      '--labeled',
      images,
      '--clients',
      clientUrls.join(','),
      '--model-dir',
      join(dir, 'server'),
      '--epochs',
      String(CLASSIFIER_EPOCHS),
      '--min-steps',
      '0',
      '--backend',
      'wasm',
    ],
    { SEMIPRIV_CLIENT_TOKEN: CLIENT_TOKEN },
  );
  serverUrl = await serve([
    'server',
    'serve',
    '--model-dir',
    join(dir, 'server'),
    '--clients',
    clientUrls.join(','),
    '--client-token',
    CLIENT_TOKEN,
    '--token',
    SERVER_TOKEN,
    '--port',
    '0',
    '--client-timeout',
    '5000',
    '--backend',
    'wasm',
  ]);
}, 90_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
});

describe('deployment over HTTP', () => {
  it('trains the server classifier the in-process path trains, weight for weight', async () => {
    const clients = await Promise.all(
      LABELS.map(async (l) => (await loadClientModel(join(dir, `client-${l}`))).client),
    );
    const local = new Server(clients.map((c) => new InProcessEndpoint(c)));
    const classifier = { ...DEFAULT_CLASSIFIER_OPTIONS, epochs: CLASSIFIER_EPOCHS, minSteps: 0 };
    const trained = await local.train(labelled, { classifier, seed: 0 });
    const { model } = await loadServerModel(join(dir, 'server'));
    expect(fingerprint(model.classifier.exportWeights())).toBe(
      fingerprint(trained.classifier.exportWeights()),
    );
    local.dispose();
    model.classifier.dispose();
    for (const c of clients) c.dispose();
  });

  it('classifies 300 MNIST test images as the in-process path does', async () => {
    const probes = subset(
      test,
      Array.from({ length: 300 }, (_, i) => i),
    );
    const reply = await classify(probes);
    expect(reply.status).toBe(200);
    const { predictions } = (await reply.json()) as {
      predictions: { label: number; probabilities: Record<string, number> }[];
    };

    // the same saved models, in process
    const clients = await Promise.all(
      LABELS.map(async (l) => (await loadClientModel(join(dir, `client-${l}`))).client),
    );
    const local = new Server(clients.map((c) => new InProcessEndpoint(c)));
    local.load((await loadServerModel(join(dir, 'server'))).model);
    const expected = await local.classify(probes);
    expect(predictions.map((p) => p.label)).toEqual(Array.from(expected.predicted));
    const sent = predictions.flatMap((p) => LABELS.map((l) => p.probabilities[String(l)]));
    expect(Float32Array.from(sent)).toEqual(expected.probabilities);

    // tiny models, one epoch: far from the paper's accuracy, far above chance (10%)
    const right = predictions.filter((p, i) => p.label === probes.labels[i]).length;
    expect(right / 300).toBeGreaterThan(0.5);
    local.dispose();
    for (const c of clients) c.dispose();
  });

  it('answers 503 naming a client whose process was killed', async () => {
    children[4].kill('SIGKILL');
    await new Promise((resolve) => children[4].once('exit', resolve));
    const started = Date.now();
    const reply = await classify(subset(test, [0, 1]));
    expect(reply.status).toBe(503);
    const body = (await reply.json()) as { code: string; message: string };
    expect(body.code).toBe('SP_CLIENT_UNREACHABLE');
    expect(body.message).toContain(`client 4 at ${clientUrls[4]}`);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
