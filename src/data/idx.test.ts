import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SemiprivError, type ErrorCode } from '../errors.js';
import {
  encodeIdx,
  parseIdx,
  readImageSet,
  temporaryWriter,
  writeFileAtomic,
  writeImageSet,
  writesSettled,
} from './idx.js';
import type { ImageSet } from './types.js';

// two 2×3 images and their labels, written out byte by byte
const IMAGES_FILE = Uint8Array.of(
  ...[0, 0, 8, 3],
  ...[0, 0, 0, 2],
  ...[0, 0, 0, 2],
  ...[0, 0, 0, 3],
  ...[1, 2, 3, 4, 5, 6],
  ...[250, 251, 252, 253, 254, 255],
);
const LABELS_FILE = Uint8Array.of(...[0, 0, 8, 1], ...[0, 0, 0, 2], 7, 3);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semipriv-idx-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectError(run: () => unknown, code: ErrorCode, ...parts: string[]): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SemiprivError);
  const error = caught as SemiprivError;
  expect(error.code).toBe(code);
  for (const part of parts) expect(error.message).toContain(part);
}

async function expectRejection(
  promise: Promise<unknown>,
  code: ErrorCode,
  ...parts: string[]
): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SemiprivError);
  expect((error as SemiprivError).code).toBe(code);
  for (const part of parts) expect((error as SemiprivError).message).toContain(part);
}

describe('parseIdx and encodeIdx', () => {
  it('encodes the header as zero bytes, type 0x08, dim count and big-endian sizes', () => {
    expect(Array.from(encodeIdx([2], Uint8Array.of(7, 3)))).toEqual(Array.from(LABELS_FILE));
    expect(Array.from(encodeIdx([2, 2, 3], IMAGES_FILE.subarray(16)))).toEqual(
      Array.from(IMAGES_FILE),
    );
    const big = encodeIdx([70000], new Uint8Array(70000));
    // 70000 = 0x00011170
    expect(Array.from(big.subarray(4, 8))).toEqual([0x00, 0x01, 0x11, 0x70]);
  });

  it('parses the dims and data of a hand-written file', () => {
    const { dims, data } = parseIdx(IMAGES_FILE, 'images');
    expect(dims).toEqual([2, 2, 3]);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6, 250, 251, 252, 253, 254, 255]);
  });

  it('rejects a truncated IDX file, naming the file and both lengths', () => {
    const short = IMAGES_FILE.subarray(0, IMAGES_FILE.length - 1);
    expectError(
      () => parseIdx(short, 'a-images.idx'),
      'SP_IDX_TRUNCATED',
      'a-images.idx',
      'expected 28 bytes, received 27',
    );
  });

  it('rejects a file cut inside its header', () => {
    expectError(
      () => parseIdx(IMAGES_FILE.subarray(0, 10), 'h.idx'),
      'SP_IDX_TRUNCATED',
      'h.idx',
      'expected 16 bytes, received 10',
    );
    expectError(() => parseIdx(Uint8Array.of(0, 0), 'tiny.idx'), 'SP_IDX_TRUNCATED', 'tiny.idx');
  });

  it('rejects trailing bytes after the data', () => {
    const long = Uint8Array.of(...LABELS_FILE, 0);
    expectError(
      () => parseIdx(long, 'l.idx'),
      'SP_IDX_TRAILING',
      'l.idx',
      'promises 10 bytes, file has 11',
    );
  });

  it('rejects a wrong magic number', () => {
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0);
    expectError(() => parseIdx(png, 'photo.png'), 'SP_IDX_MAGIC', 'photo.png', '89504e47');
  });

  it('rejects data types other than unsigned byte', () => {
    const floats = Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0);
    expectError(() => parseIdx(floats, 'f.idx'), 'SP_IDX_TYPE', 'f.idx', '0x0d');
  });

  it('refuses to encode data that does not fill the shape', () => {
    expectError(() => encodeIdx([2, 2], new Uint8Array(3)), 'SP_IDX_SHAPE', '[2, 2]');
  });
});

describe('readImageSet and writeImageSet', () => {
  it('reads hand-written image and label files', async () => {
    await writeFile(join(dir, 'i'), IMAGES_FILE);
    await writeFile(join(dir, 'l'), LABELS_FILE);
    const set = await readImageSet(join(dir, 'i'), join(dir, 'l'));
    expect([set.count, set.height, set.width]).toEqual([2, 2, 3]);
    expect(Array.from(set.labels)).toEqual([7, 3]);
    expect(set.images[6]).toBe(250);
  });

  it('round-trips an image set through plain and gzipped files', async () => {
    const set: ImageSet = {
      images: Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => (i * 37) % 256),
      labels: Uint8Array.of(9, 0, 4),
      count: 3,
      height: 4,
      width: 5,
    };
    for (const ext of ['', '.gz']) {
      const [i, l] = [join(dir, `i${ext}`), join(dir, `l${ext}`)];
      await writeImageSet(set, i, l);
      const back = await readImageSet(i, l);
      expect(back).toEqual(set);
    }
    // the gzipped files really are gzip (magic 1f 8b), and no temp files remain
    expect(Array.from((await readFile(join(dir, 'i.gz'))).subarray(0, 2))).toEqual([0x1f, 0x8b]);
    expect((await readdir(dir)).sort()).toEqual(['i', 'i.gz', 'l', 'l.gz']);
  });

  it('reads .gz files compressed by another tool', async () => {
    await writeFile(join(dir, 'i.gz'), gzipSync(IMAGES_FILE));
    await writeFile(join(dir, 'l.gz'), gzipSync(LABELS_FILE));
    const set = await readImageSet(join(dir, 'i.gz'), join(dir, 'l.gz'));
    expect(set.count).toBe(2);
    expect(Array.from(set.images.subarray(0, 6))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects image and label files that hold different counts, naming both', async () => {
    await writeFile(join(dir, 'imgs'), IMAGES_FILE);
    await writeFile(join(dir, 'lbls'), encodeIdx([3], Uint8Array.of(1, 2, 3)));
    await expectRejection(
      readImageSet(join(dir, 'imgs'), join(dir, 'lbls')),
      'SP_IDX_COUNT_MISMATCH',
      join(dir, 'imgs'),
      join(dir, 'lbls'),
      '2 images',
      '3 labels',
    );
  });

  it('rejects a label file in the image slot by its dimension count', async () => {
    await writeFile(join(dir, 'l'), LABELS_FILE);
    await expectRejection(
      readImageSet(join(dir, 'l'), join(dir, 'l')),
      'SP_IDX_SHAPE',
      join(dir, 'l'),
    );
  });

  it('names a truncated file read from disk', async () => {
    await writeFile(join(dir, 'cut'), IMAGES_FILE.subarray(0, 20));
    await writeFile(join(dir, 'l'), LABELS_FILE);
    await expectRejection(
      readImageSet(join(dir, 'cut'), join(dir, 'l')),
      'SP_IDX_TRUNCATED',
      join(dir, 'cut'),
    );
  });

  it('reports a missing file as SP_DATASET_MISSING', async () => {
    await expectRejection(
      readImageSet(join(dir, 'nope'), join(dir, 'nope2')),
      'SP_DATASET_MISSING',
      'nope',
    );
  });
});

describe('writeFileAtomic', () => {
  it('lets a caller wait for the writes in flight, and names its temporaries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'semipriv-atomic-'));
    const path = join(dir, 'big.bin');
    const contents = new Uint8Array(8 << 20).fill(7);
    const write = writeFileAtomic(path, contents);
    await writesSettled();
    expect((await readFile(path)).length).toBe(contents.length);
    await write;
    expect(await readdir(dir)).toEqual(['big.bin']);

    expect(temporaryWriter('.cell.json.4242-0123456789ab.tmp')).toBe(4242);
    expect(temporaryWriter('cell.json')).toBeNull();
    expect(temporaryWriter('.cell.json.4242-xyz.tmp')).toBeNull();
  });
});
