import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeIdx, readImageSet } from './idx.js';
import { defaultCacheDir, FASHION_SPLIT_SEED, loadFashionMnist } from './fashion-mnist.js';
import { OFFICIAL_FILE_NAMES, packageDir } from './mnist.js';
import type { ImageSet } from './types.js';

const PER_CLASS = 5;
const TEST_PER_CLASS = 2;

let root: string;
let jsonDir: string;
let cacheDir: string;

// A package-like folder: 5 images per class whose first two pixels are
// (label, index), padded like the real package (empty arrays) and with one
// short row to skip.
async function writeFixture(): Promise<void> {
  await mkdir(jsonDir, { recursive: true });
  for (let label = 0; label < 10; label++) {
    const data: number[][] = [];
    for (let index = 0; index < PER_CLASS; index++) {
      const image = Array.from({ length: 784 }, (_, j) => (label + j) % 256);
      image[0] = label;
      image[1] = index;
      data.push(image);
    }
    if (label === 0) data.push([], []);
    if (label === 3) data.splice(2, 0, new Array<number>(783).fill(1));
    await writeFile(join(jsonDir, `${label}.json`), JSON.stringify({ data }));
  }
}

function idsOf(set: ImageSet): string[] {
  return Array.from({ length: set.count }, (_, i) => {
    const [label, index] = set.images.subarray(i * 784, i * 784 + 2);
    return `${label}:${index}`;
  });
}

function countByLabel(set: ImageSet): number[] {
  const counts = new Array<number>(10).fill(0);
  set.labels.forEach((label) => counts[label]++);
  return counts;
}

// the fixture split: 3 training and 2 test images per class
function load(testPerClass = TEST_PER_CLASS, dir = cacheDir) {
  return loadFashionMnist({ jsonDir, cacheDir: dir, testPerClass });
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'semipriv-fashion-'));
  jsonDir = join(root, 'clothes');
  cacheDir = join(root, 'cache');
  await writeFixture();
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadFashionMnist from package JSON', () => {
  it('splits every class into the asked test count and the rest for training', async () => {
    const data = await load();
    expect(data.name).toBe('fashion-mnist');
    expect(data.classNames[0]).toBe('T-shirt/top');
    expect(data.classNames[9]).toBe('Ankle boot');
    expect([data.train.count, data.test.count]).toEqual([30, 20]);
    expect(countByLabel(data.train)).toEqual(new Array(10).fill(3));
    expect(countByLabel(data.test)).toEqual(new Array(10).fill(2));
    expect([data.train.height, data.train.width]).toEqual([28, 28]);
  });

  it('keeps each image with its label and uses every image exactly once', async () => {
    const { train, test } = await load();
    for (const set of [train, test]) {
      set.labels.forEach((label, i) => expect(set.images[i * 784]).toBe(label));
    }
    const trainIds = idsOf(train);
    const testIds = idsOf(test);
    expect(trainIds.filter((id) => testIds.includes(id))).toEqual([]);
    const all = [...trainIds, ...testIds].sort();
    const expected = Array.from({ length: 50 }, (_, k) => `${Math.floor(k / 5)}:${k % 5}`);
    expect(all).toEqual(expected.sort());
  });

  it('interleaves labels instead of grouping them by class', async () => {
    const { train } = await load();
    const labels = Array.from(train.labels);
    const runs = labels.filter((label, i) => i === 0 || label !== labels[i - 1]).length;
    // grouped by class there would be 10 runs; a shuffle of 30 gives far more
    expect(runs).toBeGreaterThan(15);
  });

  it('makes the same split in a fresh cache, whatever else has run', async () => {
    const a = await load();
    const b = await load(2, join(root, 'other'));
    expect(idsOf(b.train)).toEqual(idsOf(a.train));
    expect(idsOf(b.test)).toEqual(idsOf(a.test));
  });

  it('writes IDX files and a manifest, and reuses them without the JSON', async () => {
    const first = await load();
    const dir = join(cacheDir, 'fashion-mnist');
    const f = OFFICIAL_FILE_NAMES;
    const onDisk = await readImageSet(join(dir, f.trainImages), join(dir, f.trainLabels));
    expect(Array.from(onDisk.labels)).toEqual(Array.from(first.train.labels));
    const text = await readFile(join(dir, 'split.json'), 'utf8');
    const manifest: unknown = JSON.parse(text);
    expect(manifest).toMatchObject({ seed: FASHION_SPLIT_SEED, testPerClass: 2 });

    await rm(jsonDir, { recursive: true });
    const second = await load();
    expect(idsOf(second.train)).toEqual(idsOf(first.train));
    expect(Array.from(second.test.labels)).toEqual(Array.from(first.test.labels));
  });

  it('rebuilds a cache that does not parse or holds another split', async () => {
    await load();
    const dir = join(cacheDir, 'fashion-mnist');
    await truncate(join(dir, OFFICIAL_FILE_NAMES.testImages), 100);
    const rebuilt = await load();
    expect(rebuilt.test.count).toBe(20);

    const other = await load(1);
    expect([other.train.count, other.test.count]).toEqual([40, 10]);
  });

  it('rejects a class file without a data array, naming it', async () => {
    await writeFile(join(jsonDir, '4.json'), JSON.stringify({ images: [] }));
    await expect(loadFashionMnist({ jsonDir, cacheDir })).rejects.toMatchObject({
      code: 'SP_DATASET_INVALID',
      message: expect.stringContaining('4.json'),
    });
  });

  it('rejects a pixel that is not a byte, naming file, image and pixel', async () => {
    const image = new Array<number>(784).fill(0);
    image[5] = 256;
    await writeFile(join(jsonDir, '2.json'), JSON.stringify({ data: [image] }));
    await expect(load()).rejects.toMatchObject({
      code: 'SP_DATASET_INVALID',
      message: expect.stringMatching(/2\.json: image 0, pixel 5 is 256/),
    });
  });

  it('rejects a class too small for the asked test count', async () => {
    await expect(load(5)).rejects.toMatchObject({
      code: 'SP_DATASET_INVALID',
      message: expect.stringContaining('class 0 has 5 images'),
    });
  });
});

describe('defaultCacheDir', () => {
  it('follows SEMIPRIV_CACHE_DIR and falls back to ~/.cache/semipriv', () => {
    const saved = process.env.SEMIPRIV_CACHE_DIR;
    try {
      process.env.SEMIPRIV_CACHE_DIR = '/srv/cache';
      expect(defaultCacheDir()).toBe('/srv/cache');
      delete process.env.SEMIPRIV_CACHE_DIR;
      expect(defaultCacheDir()).toBe(join(homedir(), '.cache', 'semipriv'));
    } finally {
      if (saved !== undefined) process.env.SEMIPRIV_CACHE_DIR = saved;
    }
  });
});

describe('loadFashionMnist from a data folder', () => {
  it('reads the official IDX files instead of the package', async () => {
    const f = OFFICIAL_FILE_NAMES;
    const dataDir = join(root, 'idx');
    await mkdir(dataDir);
    await writeFile(join(dataDir, f.trainImages), encodeIdx([1, 1, 2], Uint8Array.of(3, 4)));
    await writeFile(join(dataDir, f.trainLabels), encodeIdx([1], Uint8Array.of(8)));
    await writeFile(join(dataDir, f.testImages), encodeIdx([1, 1, 2], Uint8Array.of(5, 6)));
    await writeFile(join(dataDir, f.testLabels), encodeIdx([1], Uint8Array.of(2)));
    const data = await loadFashionMnist({ dataDir, cacheDir });
    expect([data.train.labels[0], data.test.labels[0]]).toEqual([8, 2]);
    expect(data.classNames[8]).toBe('Bag');
  });
});

describe('loadFashionMnist from the npm package', () => {
  it('converts the real package into 6,000 training and 1,000 test images per class', async () => {
    const data = await loadFashionMnist({ cacheDir });
    expect([data.train.count, data.test.count]).toEqual([60000, 10000]);
    expect(countByLabel(data.train)).toEqual(new Array(10).fill(6000));
    expect(countByLabel(data.test)).toEqual(new Array(10).fill(1000));

    // every pixel of one class file ends up in the split exactly once
    const path = join(packageDir('fashion-mnist'), 'src', 'clothes', '9.json');
    const text = await readFile(path, 'utf8');
    const json = JSON.parse(text) as { data: number[][] };
    const expected = json.data.flat().reduce((a, b) => a + b, 0);
    expect(pixelSum(data.train, 9) + pixelSum(data.test, 9)).toBe(expected);
  });
});

function pixelSum(set: ImageSet, label: number): number {
  let sum = 0;
  set.labels.forEach((l, i) => {
    if (l !== label) return;
    for (let j = i * 784; j < (i + 1) * 784; j++) sum += set.images[j];
  });
  return sum;
}
