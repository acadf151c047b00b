import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatasetName } from './types.js';
import { loadDataset, parseDatasetName } from './load.js';

describe('parseDatasetName', () => {
  it('accepts the two dataset names', () => {
    expect(parseDatasetName('mnist')).toBe('mnist');
    expect(parseDatasetName('fashion-mnist')).toBe('fashion-mnist');
  });

  it('rejects an unknown name, listing the accepted ones', () => {
    expect(() => parseDatasetName('cifar10')).toThrow(
      expect.objectContaining({
        code: 'SP_DATASET_UNKNOWN',
        message: expect.stringMatching(/'cifar10'.*mnist, fashion-mnist/),
      }),
    );
    expect(() => parseDatasetName('MNIST')).toThrow(
      expect.objectContaining({ code: 'SP_DATASET_UNKNOWN' }),
    );
  });
});

describe('loadDataset', () => {
  it('loads MNIST by name', async () => {
    const mnist = await loadDataset('mnist');
    expect(mnist.name).toBe('mnist');
    expect([mnist.train.count, mnist.test.count]).toEqual([60000, 10000]);
  });

  it('rejects an unknown name from an untyped caller', async () => {
    const name = 'svhn' as DatasetName;
    await expect(loadDataset(name)).rejects.toMatchObject({ code: 'SP_DATASET_UNKNOWN' });
  });

  it('names a --data-dir that does not exist', async () => {
    const dataDir = join(tmpdir(), 'semipriv-no-such-data-dir');
    await expect(loadDataset('fashion-mnist', { dataDir })).rejects.toMatchObject({
      code: 'SP_FILE',
      message: `--data-dir ${dataDir}: no such folder`,
    });
  });
});
