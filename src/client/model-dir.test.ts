import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend.js';
import { DEFAULT_BIBAE_OPTIONS } from '../model/bibae.js';
import { createRng } from '../random.js';
import { Client } from './client.js';
import { loadClientModel, saveClientModel } from './model-dir.js';

const TINY = { ...DEFAULT_BIBAE_OPTIONS, latentDim: 4, convChannels: [2, 4] as [number, number] };
const TRAINING = { epochs: 1, batchSize: 8, images: 8, seed: 5 };
let client: Client;
let dir: string;
const probes = { images: noise(3, 1), count: 3, height: 28, width: 28 };

function noise(count: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: count * 784 }, () => rng.int(256));
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  client = Client.train(noise(8, 0), 8, {
    label: 3,
    epochs: 1,
    batchSize: 8,
    seed: 5,
    model: TINY,
  });
  dir = join(await mkdtemp(join(tmpdir(), 'semipriv-client-')), 'model');
  await saveClientModel(dir, client, TRAINING);
});

afterAll(() => client.dispose());

async function copyModel(): Promise<string> {
  const copy = join(await mkdtemp(join(tmpdir(), 'semipriv-client-')), 'model');
  await saveClientModel(copy, client, TRAINING);
  return copy;
}

describe('client model directory', () => {
  it('loads a client that scores exactly like the one saved', async () => {
    const { client: loaded, manifest } = await loadClientModel(dir, { label: 3 });
    expect(loaded.score(probes)).toEqual(client.score(probes));
    expect(loaded.info()).toEqual(client.info());
    expect(manifest).toMatchObject({
      label: 3,
      image: { height: 28, width: 28 },
      architecture: TINY,
      training: TRAINING,
      errorStats: client.errorStats,
      fingerprint: client.info().fingerprint,
    });
    loaded.dispose();
  });

  it('refuses a model of another label than asked, naming the manifest', async () => {
    await expect(loadClientModel(dir, { label: 4 })).rejects.toMatchObject({
      code: 'SP_MODEL_INVALID',
      message: `${dir}/manifest.json: expected label 4, the manifest records 3`,
    });
    await expect(loadClientModel(dir, { height: 32 })).rejects.toThrow('expected height 32');
  });

  it('refuses an altered weight file, naming it', async () => {
    const copy = await copyModel();
    const bin = await readFile(join(copy, 'weights.bin'));
    bin[100] ^= 1;
    await writeFile(join(copy, 'weights.bin'), bin);
    await expect(loadClientModel(copy)).rejects.toThrow(
      `${join(copy, 'weights.bin')}: SHA-256 differs from manifest.json`,
    );
  });

  it('refuses a manifest whose fingerprint or kind was edited', async () => {
    // the files still hash right, but the manifest no longer agrees with the weights
    const copy = await copyModel();
    const path = join(copy, 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...manifest, fingerprint: 'f'.repeat(64) }));
    await expect(loadClientModel(copy)).rejects.toThrow(
      `${copy}/weights.bin: the weights' fingerprint differs from ${copy}/manifest.json`,
    );
    await writeFile(path, JSON.stringify({ ...manifest, kind: 'server' }));
    await expect(loadClientModel(copy)).rejects.toThrow('expected a client model');
  });
});
