import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadClientModel } from '../client/model-dir.js';
import { loadServerModel } from '../server/model-dir.js';
import { readScoresFile } from '../transport/scores-file.js';
import { clientScoreCommand, clientTrainCommand } from './client-command.js';
import { datasetExportCommand } from './dataset-command.js';
import { serverTrainCommand } from './server-command.js';

let root: string;
const out: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'semipriv-cli-'));
  vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
    out.push(String(text));
    return true;
  });
});

describe('the offline exchange, command by command', () => {
  it('exports PNGs, trains two clients, scores files, and trains the server', async () => {
    const at = (...parts: string[]): string => join(root, ...parts);

    // owners' images and the server's labelled subset, as PNG folders
    for (const label of [0, 1]) {
      const own = { split: 'train', label, count: 12, out: at(`own-${label}`) };
      expect(await datasetExportCommand(own)).toBe(12);
      await datasetExportCommand({
        split: 'test',
        label,
        count: 6,
        out: at('labelled', `${label}`),
      });
    }
    expect((await readdir(at('own-0'))).length).toBe(12);

    // each owner trains and scores the labelled folder the server sent
    for (const label of [0, 1]) {
      await clientTrainCommand({
        images: at(`own-${label}`),
        label,
        modelDir: at(`model-${label}`),
        epochs: 1,
        latentDim: 8,
        backend: 'wasm',
      });
      await clientScoreCommand({
        modelDir: at(`model-${label}`),
        images: at('labelled'),
        out: at(`scores-${label}.json`),
      });
    }
    // a second training into a model folder is refused before it starts, unless forced
    const again = {
      images: at('own-1'),
      label: 1,
      modelDir: at('model-0'),
      epochs: 1,
      latentDim: 8,
    };
    await expect(clientTrainCommand(again)).rejects.toThrow(
      `--model-dir ${at('model-0')}: already holds a client model saved`,
    );
    const kept = await loadClientModel(at('model-0'));
    expect(kept.manifest.label).toBe(0);
    kept.client.dispose();
    await clientTrainCommand({ ...again, modelDir: at('model-x'), force: true });
    await clientTrainCommand({ ...again, modelDir: at('model-x'), force: true, seed: 1 });
    const replaced = await loadClientModel(at('model-x'));
    expect(replaced.manifest.training.seed).toBe(1);
    replaced.client.dispose();

    const scores = await readScoresFile(at('scores-1.json'));
    expect(scores.count).toBe(12);
    const { manifest: owner1 } = await loadClientModel(at('model-1'));
    expect(scores.info.fingerprint).toBe(owner1.fingerprint);
    expect(owner1.training).toEqual({ epochs: 1, batchSize: 32, images: 12, seed: 0 });

    // the server trains from the files alone
    await serverTrainCommand({
      labeled: at('labelled'),
      scores: [at('scores-0.json'), at('scores-1.json')],
      modelDir: at('server'),
      epochs: 2,
      minSteps: 0,
      backend: 'wasm',
    });
    const { manifest, model } = await loadServerModel(at('server'));
    expect(manifest.clients.map((c) => c.label)).toEqual([0, 1]);
    expect(manifest.clients[1].fingerprint).toBe(owner1.fingerprint);
    expect(manifest.training.images).toBe(12);
    model.classifier.dispose();
    expect(out.join('')).toContain('server: trained for clients 0, 1 on 12 labelled images');

    // one file given twice, and both sources at once, are refused
    await expect(
      serverTrainCommand({
        labeled: at('labelled'),
        scores: [at('scores-0.json'), at('scores-0.json')],
        modelDir: at('server-2'),
      }),
    ).rejects.toMatchObject({
      code: 'SP_SCORES_INVALID',
      hint: "Pass one scores file per client, each made by that client's own model.",
    });
    await expect(
      serverTrainCommand({
        labeled: at('labelled'),
        scores: [at('scores-0.json')],
        clients: ['http://127.0.0.1:1'],
        modelDir: at('server-2'),
      }),
    ).rejects.toThrow('expected either --clients or --scores, received both');
  });

  it('exports one subfolder per label without --label', async () => {
    const dir = join(root, 'all');
    expect(await datasetExportCommand({ split: 'test', count: 1, out: dir })).toBe(10);
    expect((await readdir(dir)).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    // the first test image of MNIST is a 7, at index 0
    expect(await readdir(join(dir, '7'))).toEqual(['00000.png']);
  });

  it('exports a subfolder for each of the --labels only, and names a class the split lacks', async () => {
    const dir = join(root, 'some');
    const flags = { split: 'test', count: 2, labels: ['2', '5'], out: dir };
    expect(await datasetExportCommand(flags)).toBe(4);
    expect((await readdir(dir)).sort()).toEqual(['2', '5']);
    await expect(datasetExportCommand({ ...flags, labels: ['5', '12'] })).rejects.toThrow(
      '--labels 12: no such class in mnist test',
    );
    await expect(datasetExportCommand({ ...flags, label: 2 })).rejects.toThrow(
      'expected --label or --labels, received both',
    );
    await expect(datasetExportCommand({ ...flags, labels: ['x'] })).rejects.toThrow(
      '--labels: expected whole numbers from 0 to 255 separated by commas, received "x"',
    );
  });

  it('skips the images owners exported, label by label', async () => {
    const dir = join(root, 'skip');
    const first = join(root, 'first');
    await datasetExportCommand({ split: 'test', label: 7, count: 3, out: first });
    await datasetExportCommand({ split: 'test', label: 7, count: 2, skip: 2, out: dir });
    const owners = (await readdir(first)).sort();
    // the third 7 is the first one after the skip, then one more none of the owners' has
    const rest = (await readdir(dir)).sort();
    expect(rest[0]).toBe(owners[2]);
    expect(rest).toHaveLength(2);
    expect(owners).not.toContain(rest[1]);
    expect(rest[1] > owners[2]).toBe(true);
  });

  it('refuses to write into a folder of images unless --force, which adds to them', async () => {
    const dir = join(root, 'owner-7');
    await datasetExportCommand({ split: 'test', label: 7, count: 2, out: dir });
    await expect(
      datasetExportCommand({ split: 'test', label: 3, count: 2, out: dir }),
    ).rejects.toMatchObject({ code: 'SP_FILE', message: `--out: ${dir} already holds 2 images` });
    expect(await readdir(dir)).toHaveLength(2);
    const labelled = join(root, 'labelled-again');
    await datasetExportCommand({ split: 'test', count: 1, labels: ['1'], out: labelled });
    await expect(
      datasetExportCommand({ split: 'test', count: 1, labels: ['0', '1'], out: labelled }),
    ).rejects.toThrow(`--out: ${labelled} already holds 1 image`);
    // one class exported beside label subfolders would mix in too
    await expect(
      datasetExportCommand({ split: 'test', label: 3, count: 1, out: labelled }),
    ).rejects.toThrow(`--out: ${labelled} already holds 1 image`);
    await datasetExportCommand({ split: 'test', label: 3, count: 2, out: dir, force: true });
    expect(await readdir(dir)).toHaveLength(4);
  });

  it('blames --skip, not the label, when the skip passes the end of the class', async () => {
    const out = join(root, 'past-end');
    // MNIST's test split holds 1028 sevens
    await expect(
      datasetExportCommand({ split: 'test', label: 7, skip: 5000, out }),
    ).rejects.toThrow(
      '--skip 5000: expected fewer than the 1028 images a class holds in mnist test',
    );
    await expect(datasetExportCommand({ split: 'test', label: 12, out })).rejects.toThrow(
      '--label 12: no such class in mnist test; expected one of 0, 1, 2, 3, 4, 5, 6, 7, 8, 9',
    );
  });

  it('refuses images of another size unless --resize', async () => {
    const dir = join(root, 'big');
    await mkdir(dir);
    const raw = { raw: { width: 32, height: 30, channels: 1 as const } };
    await writeFile(join(dir, 'x.png'), await sharp(Buffer.alloc(960, 200), raw).png().toBuffer());
    const flags = { images: dir, label: 2, modelDir: join(root, 'm-big'), epochs: 1, latentDim: 4 };
    await expect(clientTrainCommand(flags)).rejects.toMatchObject({
      code: 'SP_SHAPE',
      message: `--images ${join(dir, 'x.png')}: expected 28×28 pixels (width×height), received 32×30`,
      hint: 'Pass --resize to scale PNG and JPEG files of another size to 28×28.',
    });
    await clientTrainCommand({ ...flags, resize: true });
    const { manifest } = await loadClientModel(join(root, 'm-big'), { label: 2 });
    expect(manifest.image).toEqual({ height: 28, width: 28 });

    // another class's model, and a scores file nobody could write, are named before scoring
    await expect(loadClientModel(join(root, 'm-big'), { label: 5 })).rejects.toMatchObject({
      code: 'SP_MODEL_INVALID',
      hint: 'Check --model-dir and --label: the model in that folder holds class 2.',
    });
    const score = { modelDir: join(root, 'm-big'), images: dir, backend: 'wasm' };
    await expect(
      clientScoreCommand({ ...score, out: join(root, 'none', 's.json') }),
    ).rejects.toMatchObject({
      code: 'SP_FILE',
      message:
        `--out ${join(root, 'none', 's.json')}: expected a file in a writable folder, ` +
        'but its folder cannot be written (ENOENT)',
    });
    await expect(clientScoreCommand({ ...score, out: dir })).rejects.toMatchObject({
      message: `--out ${dir}: expected a file in a writable folder, received a folder`,
    });
    await expect(
      clientScoreCommand({ ...score, out: `${join(root, 'new')}/` }),
    ).rejects.toMatchObject({
      message: `--out ${join(root, 'new')}/: expected a file in a writable folder, received a folder path`,
    });
  });
});
