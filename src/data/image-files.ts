/**
 * Images as files: PNG and JPEG decoded to grayscale with sharp, folders of them read in a
 * fixed order, and IDX image files read with or without labels. A folder is read recursively
 * with its files sorted by relative path, so that an owner scoring a folder and the server
 * reading it see the same images in the same order.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { isSemiprivError, SemiprivError } from '../errors.js';
import { parseIdx, readImageSet, readMaybeGzip } from './idx.js';
import type { ImageSet } from './types.js';

/** Height and width of an image in pixels. */
export interface ImageShape {
  readonly height: number;
  readonly width: number;
}

/** The shape PNG and JPEG files are read at: the shape of MNIST and Fashion-MNIST. */
export const DEFAULT_IMAGE_SHAPE: ImageShape = { height: 28, width: 28 };

/** Options of {@link decodeImage}. */
export interface DecodeImageOptions {
  /** Shape the image must have (or is resized to). */
  shape: ImageShape;
  /** Names the image in messages: a file name or "request body". */
  name: string;
  /** Resize to `shape` instead of refusing another size (fit inside, black borders). */
  resize?: boolean;
  /** Accepted formats, as sharp names them. */
  formats?: readonly string[];
}

const EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
// headers are checked before decoding, so this only bounds what --resize accepts
const MAX_INPUT_PIXELS = 4096 * 4096;

/**
 * Decodes one PNG or JPEG to `height × width` grayscale pixels (transparent parts black).
 *
 * @example
 * const pixels = await decodeImage(await readFile('7.png'), {
 *   shape: { height: 28, width: 28 }, name: '7.png' }); // 784 bytes
 */
export async function decodeImage(
  bytes: Uint8Array,
  options: DecodeImageOptions,
): Promise<Uint8Array> {
  const { shape, name } = options;
  const formats = options.formats ?? ['png', 'jpeg'];
  const input = { limitInputPixels: MAX_INPUT_PIXELS };

  // header: format and size, before any pixel is decoded
  let meta: Metadata;
  try {
    meta = await sharp(bytes, input).metadata();
  } catch (error) {
    throw undecodable(name, formats, error);
  }
  if (!formats.includes(meta.format)) {
    throw new SemiprivError(
      'SP_IMAGE_INVALID',
      `${name}: expected a ${formats.join(' or ')} image, received ${meta.format}`,
    );
  }
  if (!options.resize && (meta.width !== shape.width || meta.height !== shape.height)) {
    throw new SemiprivError(
      'SP_SHAPE',
      `${name}: expected ${shape.width}×${shape.height} pixels (width×height), ` +
        `received ${meta.width}×${meta.height}`,
    );
  }

  // pixels: flattened onto black, one 8-bit channel
  let pipeline = sharp(bytes, input).flatten({ background: '#000000' }).grayscale();
  if (options.resize) {
    pipeline = pipeline.resize(shape.width, shape.height, { fit: 'contain', background: '#000' });
  }
  try {
    const { data, info } = await pipeline
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 || data.length !== shape.height * shape.width) {
      throw new SemiprivError(
        'SP_IMAGE_INVALID',
        `${name}: expected one channel of ${shape.width}×${shape.height}, ` +
          `decoded ${info.channels} channel(s) of ${info.width}×${info.height}`,
      );
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  } catch (error) {
    if (error instanceof SemiprivError) throw error;
    throw undecodable(name, formats, error);
  }
}

/**
 * Encodes `height × width` grayscale pixels as a one-channel PNG.
 *
 * @example
 * await writeFile('0.png', await encodePng(set.images.subarray(0, 784), 28, 28));
 */
export async function encodePng(
  pixels: Uint8Array,
  height: number,
  width: number,
): Promise<Uint8Array> {
  const raw = { width, height, channels: 1 as const };
  const png = await sharp(pixels, { raw }).toColourspace('b-w').png().toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.length);
}

/** Options of {@link readImages}. */
export interface ReadImagesOptions {
  /** Shape of PNG and JPEG files (IDX files carry their own). */
  shape?: ImageShape;
  /** Resize PNG and JPEG files of another size instead of refusing them. */
  resize?: boolean;
  /**
   * Read labels too: from this IDX label file, from the IDX file named like the image file with
   * `labels-idx1` for `images-idx3` when `true`, or from subfolder names for a folder.
   */
  labels?: boolean | string;
  /** The flag that named `path` (`--images`), for messages. */
  flag?: string;
  /**
   * The one class a folder should hold: images in subfolders named by label (the labelled
   * layout) are refused unless they all sit in this class's subfolder, since a set read from
   * them would mix classes or hold another one.
   */
  oneClass?: number;
}

/**
 * Reads images from an IDX image file (plain or `.gz`) or a folder of PNG and JPEG files.
 * Without `labels`, every label is 0.
 *
 * @example
 * const probes = await readImages('probes/');                      // unlabelled
 * const labelled = await readImages('labelled/', { labels: true }); // labelled/3/*.png → 3
 */
export async function readImages(path: string, options: ReadImagesOptions = {}): Promise<ImageSet> {
  const named = flagged(options, path);
  const info = await stat(path).catch(() => null);
  if (!info) {
    throw new SemiprivError('SP_FILE', `${named}: no such file or folder`, {
      hint: 'Check the path: an IDX image file (plain or .gz), a PNG or JPEG file, or a folder.',
    });
  }
  if (info.isDirectory()) return readImageFolder(path, options);
  if (hasImageExtension(path)) return readImageFile(path, options);

  if (options.labels) {
    const labelsPath = typeof options.labels === 'string' ? options.labels : siblingLabels(path);
    return readImageSet(path, labelsPath);
  }
  // anything else is read as IDX; a file that does not even open like one is named as such
  let idx: ReturnType<typeof parseIdx>;
  try {
    idx = parseIdx(await readMaybeGzip(path), path);
  } catch (error) {
    if (!isSemiprivError(error) || error.code !== 'SP_IDX_MAGIC') throw error;
    throw new SemiprivError(
      'SP_IMAGE_INVALID',
      `${named}: expected an IDX image file (plain or .gz), a PNG or JPEG file, or a folder ` +
        'of them, received a file that is none of these',
      {
        cause: error,
        hint: 'PNG and JPEG files are recognised by their .png, .jpg or .jpeg extension.',
      },
    );
  }
  if (idx.dims.length !== 3) {
    throw new SemiprivError(
      'SP_IDX_SHAPE',
      `${path}: expected an image file with 3 dimensions, received [${idx.dims.join(', ')}]`,
    );
  }
  const [count, height, width] = idx.dims;
  return { images: idx.data, labels: new Uint8Array(count), count, height, width };
}

/** The label file named like an IDX image file, `…images-idx3…` → `…labels-idx1…`. */
export function siblingLabels(imagesPath: string): string {
  const name = basename(imagesPath);
  const swapped = name.includes('images-idx3')
    ? name.replace('images-idx3', 'labels-idx1')
    : name.replace('images', 'labels');
  if (swapped === name) {
    throw new SemiprivError(
      'SP_OPTION',
      `${imagesPath}: cannot tell the label file from this name; pass it with --labeled-labels`,
    );
  }
  return join(dirname(imagesPath), swapped);
}

async function readImageFolder(dir: string, options: ReadImagesOptions): Promise<ImageSet> {
  const shape = options.shape ?? DEFAULT_IMAGE_SHAPE;
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && !e.name.startsWith('.') && hasImageExtension(e.name))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (files.length === 0) {
    throw new SemiprivError(
      'SP_OPTION',
      `${flagged(options, dir)}: expected PNG or JPEG files, found none`,
      { hint: 'Name a folder of .png, .jpg or .jpeg files (in subfolders by label, if labelled).' },
    );
  }

  if (options.oneClass !== undefined) refuseLabelledLayout(dir, files, options.oneClass, options);

  const size = shape.height * shape.width;
  const images = new Uint8Array(files.length * size);
  const labels = new Uint8Array(files.length);
  for (const [i, file] of files.entries()) {
    if (options.labels) labels[i] = folderLabel(dir, file);
  }
  // decode a few at a time: sharp works off the main thread, but memory stays bounded
  const concurrency = 8;
  for (let start = 0; start < files.length; start += concurrency) {
    const batch = files.slice(start, start + concurrency);
    const decoded = await Promise.all(
      batch.map(async (file) => {
        const bytes = await readFile(join(dir, file));
        const name = flagged(options, join(dir, file));
        return decodeImage(bytes, { shape, name, resize: options.resize });
      }),
    );
    decoded.forEach((pixels, j) => images.set(pixels, (start + j) * size));
  }
  return { images, labels, count: files.length, ...shape };
}

/** One PNG or JPEG file as a set of one image; a label needs the folder layout. */
async function readImageFile(path: string, options: ReadImagesOptions): Promise<ImageSet> {
  if (options.labels) {
    throw new SemiprivError(
      'SP_OPTION',
      `${path}: expected labelled images as a folder with one subfolder per label, ` +
        'received a single image file',
    );
  }
  const shape = options.shape ?? DEFAULT_IMAGE_SHAPE;
  const bytes = await readFile(path);
  const name = flagged(options, path);
  const images = await decodeImage(bytes, { shape, name, resize: options.resize });
  return { images, labels: new Uint8Array(1), count: 1, ...shape };
}

/** `path` for messages, after the flag that named it when there is one. */
function flagged(options: ReadImagesOptions, path: string): string {
  return options.flag ? `${options.flag} ${path}` : path;
}

/** Refuses images in subfolders named by label (the labelled layout) other than `label`'s. */
function refuseLabelledLayout(
  dir: string,
  files: readonly string[],
  label: number,
  options: ReadImagesOptions,
): void {
  const labels = new Set<string>();
  let elsewhere = 0;
  for (const file of files) {
    const parts = file.split(sep);
    if (parts.length > 1 && /^\d{1,3}$/.test(parts[0])) labels.add(parts[0]);
    else elsewhere++;
  }
  const names = [...labels].sort((a, b) => Number(a) - Number(b));
  const refuse = (received: string, hint: string): SemiprivError =>
    new SemiprivError(
      'SP_OPTION',
      `${flagged(options, dir)}: expected the images of one class, ${received}`,
      { hint },
    );
  const own = `Name the folder of this client's own class (${join(dir, String(label))}, if it is there).`;
  if (names.length > 1) {
    throw refuse(`received subfolders ${names.join(', ')} (one per label)`, own);
  }
  if (names.length === 1 && elsewhere > 0) {
    throw refuse(`received images beside a subfolder named by label (${names[0]})`, own);
  }
  if (names.length === 1 && Number(names[0]) !== label) {
    throw refuse(
      `received them in subfolder ${names[0]}, the folder of class ${names[0]}, with --label ${label}`,
      `Check --label, or name the folder of class ${label}.`,
    );
  }
}

function folderLabel(dir: string, file: string): number {
  const parts = file.split(sep);
  const label = parts.length === 2 && /^\d{1,3}$/.test(parts[0]) ? Number(parts[0]) : NaN;
  if (!(label <= 255)) {
    throw new SemiprivError(
      'SP_OPTION',
      `${join(dir, file)}: expected labelled images in subfolders named by label ` +
        `(e.g. ${join(dir, '3', 'a.png')})`,
    );
  }
  return label;
}

/** Whether a file name has the extension of a PNG or JPEG file, as folders are read. */
export function hasImageExtension(name: string): boolean {
  return EXTENSIONS.has(extension(name));
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot).toLowerCase();
}

function undecodable(name: string, formats: readonly string[], cause: unknown): SemiprivError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SemiprivError(
    'SP_IMAGE_INVALID',
    `${name}: expected a ${formats.join(' or ')} image, but it cannot be decoded (${reason})`,
    { cause },
  );
}
