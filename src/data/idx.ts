/**
 * The IDX file format of MNIST and Fashion-MNIST: a 4-byte magic (two zero
 * bytes, a data-type byte, a dimension-count byte), one big-endian 32-bit size
 * per dimension, then the data. Only unsigned-byte data is supported. Files
 * whose name ends in `.gz` are gunzipped on read and gzipped on write.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { SemiprivError } from '../errors.js';
import type { ImageSet } from './types.js';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

/** The IDX data-type byte for unsigned bytes, the only type semipriv reads. */
export const IDX_UNSIGNED_BYTE = 0x08;

/** The contents of one IDX file. */
export interface IdxArray {
  /** Size of each dimension, outermost first. */
  readonly dims: number[];
  /** The values, row-major; `data.length` is the product of `dims`. */
  readonly data: Uint8Array;
}

/**
 * Parses the bytes of an unsigned-byte IDX file. `fileName` only labels error
 * messages. The returned data is a view into `bytes`, not a copy.
 *
 * @example
 * const { dims, data } = parseIdx(await readFile(path), path);
 * dims; // [60000, 28, 28]
 */
export function parseIdx(bytes: Uint8Array, fileName: string): IdxArray {
  // magic: judged on the bytes there are; a file that starts right but is shorter than the
  // magic is as good as truncated
  if ((bytes.length > 0 && bytes[0] !== 0) || (bytes.length > 1 && bytes[1] !== 0)) {
    const got = Array.from(bytes.subarray(0, 4), hexByte).join('');
    throw new SemiprivError(
      'SP_IDX_MAGIC',
      `${fileName}: expected an IDX magic number 0x0000TTNN, received 0x${got}`,
    );
  }
  if (bytes.length < 4) {
    throw truncated(fileName, 4, bytes.length);
  }
  if (bytes[2] !== IDX_UNSIGNED_BYTE) {
    const got = hexByte(bytes[2]);
    throw new SemiprivError(
      'SP_IDX_TYPE',
      `${fileName}: expected data type 0x08 (unsigned byte), received 0x${got}`,
    );
  }

  // header: one big-endian uint32 per dimension
  const nDims = bytes[3];
  const headerBytes = 4 + 4 * nDims;
  if (bytes.length < headerBytes) {
    throw truncated(fileName, headerBytes, bytes.length);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: nDims }, (_, i) => view.getUint32(4 + 4 * i));

  // body: exactly one byte per value, nothing after it
  const size = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + size;
  if (bytes.length < expected) {
    throw truncated(fileName, expected, bytes.length);
  }
  if (bytes.length > expected) {
    const extra = bytes.length - expected;
    throw new SemiprivError(
      'SP_IDX_TRAILING',
      `${fileName}: IDX header promises ${expected} bytes, ` +
        `file has ${bytes.length} (${extra} extra)`,
    );
  }
  const offset = bytes.byteOffset + headerBytes;
  return { dims, data: new Uint8Array(bytes.buffer, offset, size) };
}

/**
 * Encodes unsigned-byte values as an IDX file.
 *
 * @example
 * encodeIdx([2], Uint8Array.of(7, 9)); // 00 00 08 01 | 00 00 00 02 | 07 09
 */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  if (data.length !== size || dims.length > 255) {
    throw new SemiprivError(
      'SP_IDX_SHAPE',
      `cannot encode ${data.length} values as an IDX array of shape [${dims.join(', ')}]`,
    );
  }
  const headerBytes = 4 + 4 * dims.length;
  const bytes = new Uint8Array(headerBytes + size);
  const view = new DataView(bytes.buffer);
  bytes[2] = IDX_UNSIGNED_BYTE;
  bytes[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  bytes.set(data, headerBytes);
  return bytes;
}

/**
 * Reads a whole file, gunzipping it when its name ends in `.gz`. A missing
 * file is SP_DATASET_MISSING, a damaged gzip stream SP_DATASET_INVALID.
 */
export async function readMaybeGzip(path: string): Promise<Uint8Array> {
  let raw: Uint8Array;
  try {
    raw = await readFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SemiprivError('SP_DATASET_MISSING', `cannot read ${path}: ${reason}`, {
      cause: error,
    });
  }
  if (!path.endsWith('.gz')) return raw;
  try {
    return await gunzipAsync(raw);
  } catch (error) {
    throw new SemiprivError('SP_DATASET_INVALID', `${path}: not a valid gzip file`, {
      cause: error,
    });
  }
}

/**
 * Reads an image file (3-D IDX) and its label file (1-D IDX) into one set.
 *
 * @example
 * const train = await readImageSet(
 *   'train-images-idx3-ubyte',
 *   'train-labels-idx1-ubyte',
 * );
 * train.count; // 60000
 */
export async function readImageSet(imagesPath: string, labelsPath: string): Promise<ImageSet> {
  const [imageBytes, labelBytes] = await Promise.all([
    readMaybeGzip(imagesPath),
    readMaybeGzip(labelsPath),
  ]);
  const images = parseIdx(imageBytes, imagesPath);
  const labels = parseIdx(labelBytes, labelsPath);

  // shapes: count × height × width images, one label each
  requireDims(images, 3, imagesPath, 'an image file');
  requireDims(labels, 1, labelsPath, 'a label file');
  const [count, height, width] = images.dims;
  if (labels.dims[0] !== count) {
    throw new SemiprivError(
      'SP_IDX_COUNT_MISMATCH',
      `${imagesPath} holds ${count} images but ${labelsPath} holds ${labels.dims[0]} labels`,
    );
  }
  return { images: images.data, labels: labels.data, count, height, width };
}

/**
 * Writes a set as an image IDX file and a label IDX file, gzipped where a
 * name ends in `.gz`. Each file is written under a temporary name in the same
 * folder and then renamed, so a reader never sees half a file.
 *
 * @example
 * await writeImageSet(
 *   train,
 *   'cache/train-images-idx3-ubyte',
 *   'cache/train-labels-idx1-ubyte',
 * );
 */
export async function writeImageSet(
  set: ImageSet,
  imagesPath: string,
  labelsPath: string,
): Promise<void> {
  if (set.labels.length !== set.count) {
    throw new SemiprivError(
      'SP_IDX_SHAPE',
      `cannot write ${labelsPath}: ${set.count} images but ${set.labels.length} labels`,
    );
  }
  const shape = [set.count, set.height, set.width];
  const images = encodeIdx(shape, set.images);
  const labels = encodeIdx([set.count], set.labels);
  await Promise.all([writeIdx(imagesPath, images), writeIdx(labelsPath, labels)]);
}

/** Atomic writes in flight, so that a process stopping on a signal can let them finish. */
const writing = new Set<Promise<void>>();

/** Resolves once no {@link writeFileAtomic} is in flight. */
export async function writesSettled(): Promise<void> {
  while (writing.size > 0) await Promise.allSettled([...writing]);
}

/**
 * The process id in the name of a temporary twin that {@link writeFileAtomic} writes before
 * renaming, or null for any other name.
 */
export function temporaryWriter(name: string): number | null {
  const pid = /^\..+\.(\d+)-[0-9a-f]{12}\.tmp$/.exec(name)?.[1];
  return pid === undefined ? null : Number(pid);
}

/** Writes to a temporary file beside `path`, then renames it to `path`. */
export async function writeFileAtomic(path: string, contents: Uint8Array | string): Promise<void> {
  const done = writeThenRename(path, contents);
  writing.add(done);
  try {
    await done;
  } finally {
    writing.delete(done);
  }
}

async function writeThenRename(path: string, contents: Uint8Array | string): Promise<void> {
  const suffix = `${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  const temp = join(dirname(path), `.${basename(path)}.${suffix}`);
  try {
    await writeFile(temp, contents);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    // the caller named `path`; its hidden temporary twin would only puzzle a reader
    if ((error as NodeJS.ErrnoException).path === temp) {
      (error as NodeJS.ErrnoException).path = path;
    }
    throw error;
  }
}

async function writeIdx(path: string, bytes: Uint8Array): Promise<void> {
  const gzipped = path.endsWith('.gz');
  await writeFileAtomic(path, gzipped ? await gzipAsync(bytes) : bytes);
}

function requireDims(array: IdxArray, nDims: number, fileName: string, what: string): void {
  if (array.dims.length !== nDims) {
    throw new SemiprivError(
      'SP_IDX_SHAPE',
      `${fileName}: expected ${what} with ${nDims} dimension(s), ` +
        `received shape [${array.dims.join(', ')}]`,
    );
  }
}

function truncated(fileName: string, expected: number, actual: number): SemiprivError {
  return new SemiprivError(
    'SP_IDX_TRUNCATED',
    `${fileName}: truncated IDX file, expected ${expected} bytes, received ${actual}`,
  );
}

function hexByte(value: number): string {
  return value.toString(16).padStart(2, '0');
}
