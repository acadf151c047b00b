import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend.js';
import { Classifier, DEFAULT_CLASSIFIER_OPTIONS } from '../model/classifier.js';
import { createRng } from '../random.js';
import { loadServerModel, saveServerModel } from './model-dir.js';
import type { StandardScaler } from './scaling.js';
import type { ServerModel } from './server.js';

const OPTIONS = {
  ...DEFAULT_CLASSIFIER_OPTIONS,
  numClasses: 2,
  numScores: 4,
  hiddenChannels: 2,
  epochs: 1,
  minSteps: 0,
};
const CLIENTS = [
  { label: 4, fingerprint: '4'.repeat(64) },
  { label: 7, fingerprint: '7'.repeat(64) },
];
let model: ServerModel;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  model = {
    labels: [4, 7],
    scaler: { mean: [0, 1, 2, 3], std: [1, 2, 3, 4] },
    classifier: new Classifier(OPTIONS, createRng(3)),
  };
});

async function saved(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'semipriv-server-')), 'model');
  await saveServerModel(dir, model, CLIENTS, { images: 10, seed: 3 });
  return dir;
}

describe('server model directory', () => {
  it('loads a classifier that predicts exactly like the one saved', async () => {
    const dir = await saved();
    const { model: loaded, manifest } = await loadServerModel(dir);
    const rng = createRng(1);
    const pixels = Uint8Array.from({ length: 2 * 784 }, () => rng.int(256));
    const scores = Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8);
    expect(loaded.classifier.predict(pixels, scores, 2)).toEqual(
      model.classifier.predict(pixels, scores, 2),
    );
    expect(loaded.labels).toEqual([4, 7]);
    expect(loaded.scaler).toEqual(model.scaler);
    expect(manifest).toMatchObject({
      image: { height: 28, width: 28 },
      classifier: OPTIONS,
      clients: CLIENTS,
      training: { images: 10, seed: 3 },
    });
    loaded.classifier.dispose();
  });

  it('refuses an altered scaler, naming the file', async () => {
    const dir = await saved();
    await writeFile(join(dir, 'scaler.json'), '{"min":[0,0,0,0],"max":[9,9,9,9]}\n');
    await expect(loadServerModel(dir)).rejects.toMatchObject({
      code: 'SP_MODEL_INVALID',
      message:
        `${join(dir, 'scaler.json')}: SHA-256 differs from manifest.json; the file was ` +
        'altered',
    });
  });

  it('asks to train again a model saved with min–max scaling', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'semipriv-server-')), 'model');
    const minMax = { min: [0, 0, 0, 0], max: [1, 1, 1, 1] } as unknown as StandardScaler;
    await saveServerModel(dir, { ...model, scaler: minMax }, CLIENTS, { images: 10, seed: 3 });
    await expect(loadServerModel(dir)).rejects.toMatchObject({
      code: 'SP_MODEL_INVALID',
      message: expect.stringContaining('min–max scaling from an earlier semipriv'),
      hint: expect.stringContaining('semipriv server train'),
    });
  });

  it('asks to train again a model whose classifier settings lack a newer one', async () => {
    const dir = await saved();
    const path = join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    delete manifest.classifier.testViews;
    await writeFile(path, JSON.stringify(manifest));
    await expect(loadServerModel(dir)).rejects.toMatchObject({
      code: 'SP_MODEL_INVALID',
      message:
        `${path}: the classifier settings lack testViews: the model was saved by an ` +
        'earlier semipriv; train the server again',
      hint: expect.stringContaining('semipriv server train'),
    });
  });

  it('refuses a manifest whose clients do not fit the classifier', async () => {
    const dir = await saved();
    const path = join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...manifest, clients: CLIENTS.slice(0, 1) }));
    await expect(loadServerModel(dir)).rejects.toThrow('the classifier is not sized for 1 clients');
    await writeFile(path, JSON.stringify({ ...manifest, clients: [...CLIENTS].reverse() }));
    await expect(loadServerModel(dir)).rejects.toThrow(
      'expected clients in increasing label order, received 7,4',
    );
  });

  it('refuses a client model directory', async () => {
    const dir = await saved();
    const path = join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...manifest, kind: 'client' }));
    await expect(loadServerModel(dir)).rejects.toThrow(
      'expected a server model, received kind client',
    );
  });
});
