/**
 * One entry point for every dataset semipriv ships a loader for.
 */
import { existsSync } from 'node:fs';
import { SemiprivError } from '../errors.js';
import { loadFashionMnist } from './fashion-mnist.js';
import { loadMnist } from './mnist.js';
import type { Dataset, DatasetName } from './types.js';

/** The dataset names `loadDataset` accepts, as the CLI spells them. */
export const DATASET_NAMES: readonly DatasetName[] = ['mnist', 'fashion-mnist'];

/** Where to read a dataset from. */
export interface LoadDatasetOptions {
  /** Folder with the four official IDX files (plain or `.gz`). */
  readonly dataDir?: string;
  /** Cache root for datasets converted on first use (Fashion-MNIST). */
  readonly cacheDir?: string;
}

/**
 * Loads a dataset with its train/test split, from local files only.
 *
 * @example
 * const { train, test, classNames } = await loadDataset('fashion-mnist');
 */
export async function loadDataset(
  name: DatasetName,
  options: LoadDatasetOptions = {},
): Promise<Dataset> {
  checkDataDir(options.dataDir);
  switch (name) {
    case 'mnist':
      return loadMnist({ dataDir: options.dataDir });
    case 'fashion-mnist':
      return loadFashionMnist({
        dataDir: options.dataDir,
        cacheDir: options.cacheDir,
      });
    default:
      // reachable from plain JavaScript callers, which the type does not bind
      throw unknownDataset(String(name));
  }
}

/**
 * Checks a user-supplied dataset name.
 *
 * @example
 * parseDatasetName('mnist'); // 'mnist'
 * parseDatasetName('cifar'); // throws SP_DATASET_UNKNOWN
 */
export function parseDatasetName(value: string): DatasetName {
  const name = DATASET_NAMES.find((candidate) => candidate === value);
  if (name === undefined) throw unknownDataset(value);
  return name;
}

function unknownDataset(value: string): SemiprivError {
  return new SemiprivError(
    'SP_DATASET_UNKNOWN',
    `unknown dataset '${value}', expected one of: ${DATASET_NAMES.join(', ')}`,
  );
}

/**
 * Refuses a `--data-dir` that does not exist with SP_FILE naming the flag, so that a command
 * can check it before it writes anything.
 */
export function checkDataDir(dataDir: string | undefined): void {
  if (dataDir !== undefined && !existsSync(dataDir)) {
    throw new SemiprivError('SP_FILE', `--data-dir ${dataDir}: no such folder`, {
      hint: 'Pass the folder that holds the four IDX files of the dataset, or leave --data-dir out.',
    });
  }
}
