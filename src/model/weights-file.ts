/**
 * The on-disk form of a saved model: a directory holding binary weights (`weights.bin`, float32
 * little-endian, with `weights.json` naming each tensor's shape and byte offset), any other
 * files the model needs, and `manifest.json` with the SHA-256 of every one of them. A directory
 * is written whole into a temporary sibling, synced and renamed, so a reader never sees half a
 * model; it is read back only when every hash matches.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { SemiprivError } from '../errors.js';
import { JsonFields } from '../json-check.js';
import type { WeightEntry } from './params.js';

/** The manifest format version this code writes and reads. */
export const MODEL_FORMAT_VERSION = 1;

/** The file every model directory's integrity hangs on. */
export const MANIFEST_FILE = 'manifest.json';

/** What a model directory holds: a client's BIB-AE or the server's classifier. */
export type ModelKind = 'client' | 'server';

/** Hash and size of one file of a model directory. */
export interface FileRecord {
  sha256: string;
  bytes: number;
}

/** One tensor's place in `weights.bin`. */
interface IndexEntry {
  name: string;
  shape: number[];
  /** Byte offset into `weights.bin`. */
  offset: number;
}

/**
 * Weights as the two files `weights.json` (index) and `weights.bin` (float32, little-endian).
 *
 * @example
 * const files = encodeWeights(model.exportWeights());
 * await writeModelDir('models/client-3', 'client', { label: 3 }, files);
 */
export function encodeWeights(entries: readonly WeightEntry[]): Record<string, Uint8Array> {
  const total = entries.reduce((n, e) => n + e.values.length, 0);
  const bin = new Uint8Array(total * 4);
  const view = new DataView(bin.buffer);
  const index: IndexEntry[] = [];
  let offset = 0;
  for (const e of entries) {
    index.push({ name: e.name, shape: [...e.shape], offset });
    for (let i = 0; i < e.values.length; i++) view.setFloat32(offset + 4 * i, e.values[i], true);
    offset += e.values.length * 4;
  }
  const json = JSON.stringify({ dtype: 'float32', byteOrder: 'little', entries: index }, null, 1);
  return { 'weights.json': new TextEncoder().encode(`${json}\n`), 'weights.bin': bin };
}

/** Reads weights back from the files {@link encodeWeights} made; `dir` names them in errors. */
export function decodeWeights(files: ReadonlyMap<string, Uint8Array>, dir: string): WeightEntry[] {
  const where = join(dir, 'weights.json');
  const indexBytes = files.get('weights.json');
  const bin = files.get('weights.bin');
  if (!indexBytes || !bin) throw invalid(`${dir}: expected weights.json and weights.bin`);
  const index = JsonFields.parse(new TextDecoder().decode(indexBytes), where, 'SP_MODEL_INVALID');
  index.oneOf('dtype', ['float32']);
  index.oneOf('byteOrder', ['little']);

  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  let expectedOffset = 0;
  const entries = index.objects('entries').map((e) => {
    const name = e.string('name');
    const shape = e.numbers('shape', undefined, { integer: true, min: 0 });
    const size = shape.reduce((a, b) => a * b, 1);
    // tensors lie back to back, so any gap or overlap means the index was altered
    e.number('offset', { integer: true, min: expectedOffset, max: expectedOffset });
    const values = new Float32Array(size);
    if (expectedOffset + size * 4 > bin.length) {
      throw invalid(`${join(dir, 'weights.bin')}: ${name} runs past the end of the file`);
    }
    for (let i = 0; i < size; i++) values[i] = view.getFloat32(expectedOffset + 4 * i, true);
    expectedOffset += size * 4;
    return { name, shape, values };
  });
  if (expectedOffset !== bin.length) {
    throw invalid(
      `${join(dir, 'weights.bin')}: expected ${expectedOffset} bytes, received ${bin.length}`,
    );
  }
  return entries;
}

/** SHA-256 of `bytes`, as lowercase hex. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** How {@link writeModelDir} treats a model already at its target. */
export interface WriteModelOptions {
  /** Replace a model of the same kind already there (default: refuse it). */
  replace?: boolean;
}

/**
 * Writes a model directory atomically: `files` and a manifest made of `fields` plus the format,
 * kind, creation time and every file's hash. A model of the same kind already at `dir` is
 * replaced only with `replace`; anything else there is left alone and refused (see
 * {@link checkModelTarget}), checked again just before the new folder is swapped in. Returns
 * the creation time.
 */
export async function writeModelDir(
  dir: string,
  kind: ModelKind,
  fields: Record<string, unknown>,
  files: Record<string, Uint8Array>,
  options: WriteModelOptions = {},
): Promise<string> {
  const target = resolve(dir);
  await checkModelTarget(dir, kind, options.replace === true);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const temp = join(parent, `.${basename(target)}.tmp-${process.pid}-${randomHex()}`);
  try {
    await mkdir(temp);

    // every file synced before the manifest that vouches for it
    const records: Record<string, FileRecord> = {};
    for (const [name, bytes] of Object.entries(files)) {
      await writeSynced(join(temp, name), bytes);
      records[name] = { sha256: sha256Hex(bytes), bytes: bytes.length };
    }
    const created = new Date().toISOString();
    const manifest = {
      format: 'semipriv-model',
      formatVersion: MODEL_FORMAT_VERSION,
      kind,
      created,
      ...fields,
      files: records,
    };
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    await writeSynced(join(temp, MANIFEST_FILE), new TextEncoder().encode(text));
    await syncDir(temp);

    // swap: the old model moves aside only once the new one is complete on disk, and only if
    // it may still be replaced (another process may have saved one meanwhile)
    await checkModelTarget(dir, kind, options.replace === true);
    const old = join(parent, `.${basename(target)}.old-${process.pid}-${randomHex()}`);
    const replaced = await exists(target);
    if (replaced) await rename(target, old);
    await rename(temp, target).catch(async (error: NodeJS.ErrnoException) => {
      // a folder that appeared since the check: name what is there now
      if (error.code === 'ENOTEMPTY' || error.code === 'EEXIST') {
        await checkModelTarget(dir, kind, options.replace === true);
      }
      throw error;
    });
    await syncDir(parent);
    if (replaced) await rm(old, { recursive: true, force: true });
    return created;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** A model directory read back with every file's hash checked. */
export interface ModelDirContents {
  /** The manifest's fields, to be read with checks. */
  manifest: JsonFields;
  /** Every file the manifest lists, by name. */
  files: Map<string, Uint8Array>;
}

/**
 * Reads a model directory. Refuses with SP_FILE when `dir` does not exist or holds no manifest,
 * and with SP_MODEL_INVALID (naming the file) when the manifest is malformed, of another format
 * version or kind, or a listed file is missing or its SHA-256 differs from the manifest's.
 */
export async function readModelDir(dir: string, kind: ModelKind): Promise<ModelDirContents> {
  // a mistyped path is not a damaged model: say so, and point at the flag
  const pathHint = `Check --model-dir: it names the folder that semipriv ${kind} train wrote.`;
  if (!(await exists(dir))) {
    throw new SemiprivError('SP_FILE', `${dir}: no such model folder`, { hint: pathHint });
  }
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!(await exists(manifestPath))) {
    const message = `${dir}: not a model folder (it holds no ${MANIFEST_FILE})`;
    throw new SemiprivError('SP_FILE', message, { hint: pathHint });
  }
  const text = new TextDecoder().decode(await readOrRefuse(manifestPath));
  const manifest = JsonFields.parse(text, manifestPath, 'SP_MODEL_INVALID');
  manifest.oneOf('format', ['semipriv-model']);
  manifest.oneOf('formatVersion', [MODEL_FORMAT_VERSION]);
  const found = manifest.raw('kind');
  if (found !== kind) {
    const message = `${manifestPath}: expected a ${kind} model, received kind ${String(found)}`;
    throw invalid(message, { hint: pathHint });
  }

  const records = manifest.object('files');
  const files = new Map<string, Uint8Array>();
  for (const name of records.keys()) {
    if (name.includes('/') || name.includes('\\') || name.startsWith('.')) {
      throw invalid(`${manifestPath}: file name "${name}" is not a plain file name`);
    }
    const record = records.object(name);
    const path = join(dir, name);
    const bytes = await readOrRefuse(path);
    const expected = record.string('sha256', /^[0-9a-f]{64}$/);
    if (sha256Hex(bytes) !== expected) {
      throw invalid(`${path}: SHA-256 differs from ${MANIFEST_FILE}; the file was altered`);
    }
    files.set(name, bytes);
  }
  return { manifest, files };
}

async function readOrRefuse(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw invalid(`${path}: cannot read (${reason})`, { cause: error });
  }
}

/**
 * Checks that a `kind` model may be written at `dir`: a new or empty folder, or, when `replace`
 * is set, a model directory of the same kind. Refuses with SP_OPTION otherwise. Commands call
 * it before training as well, so that hours are not spent on a model that cannot be saved and
 * a trained model is not replaced by accident.
 *
 * @example
 * await checkModelTarget('models/client-3', 'client', flags.force === true);
 */
export async function checkModelTarget(
  dir: string,
  kind: ModelKind,
  replace: boolean,
): Promise<void> {
  const target = resolve(dir);
  const info = await stat(target).catch(() => null);
  if (info === null) return;
  const newFolder = 'Name a new folder with --model-dir.';
  if (!info.isDirectory()) {
    throw new SemiprivError('SP_OPTION', `--model-dir ${dir}: expected a folder, received a file`, {
      hint: newFolder,
    });
  }
  const manifest = await readManifestLoosely(join(target, MANIFEST_FILE));
  if (manifest === null) {
    const entries = await readdir(target).catch(() => null);
    if (entries !== null && entries.length === 0) return;
    throw new SemiprivError(
      'SP_OPTION',
      `--model-dir ${dir}: expected a new folder or a model directory, ` +
        'received a folder that holds other files',
      { hint: `${newFolder} semipriv never writes over files it did not write.` },
    );
  }

  if (manifest === 'invalid') {
    throw new SemiprivError(
      'SP_OPTION',
      `--model-dir ${dir}: expected a new folder or a model directory, ` +
        `received a folder whose ${MANIFEST_FILE} is not a JSON object`,
      { hint: `The model there is damaged: move it aside, or ${newFolder.toLowerCase()}` },
    );
  }

  // a model is there: name it, as far as its manifest can be read
  const found = manifest.kind;
  const what = typeof found === 'string' ? `a ${found} model` : 'a model of unknown kind';
  const saved = typeof manifest.created === 'string' ? ` saved ${manifest.created}` : '';
  if (found !== kind) {
    throw new SemiprivError(
      'SP_OPTION',
      `--model-dir ${dir}: expected a new folder or a ${kind} model, received ${what}${saved}`,
      { hint: 'Name a new folder with --model-dir; --force replaces only a model of its kind.' },
    );
  }
  if (!replace) {
    throw new SemiprivError(
      'SP_OPTION',
      `--model-dir ${dir}: already holds a ${kind} model${saved}`,
      {
        hint: 'Pass --force to replace it, or name a new folder with --model-dir.',
      },
    );
  }
}

/** The fields of a manifest file; null when there is none, 'invalid' when not a JSON object. */
async function readManifestLoosely(
  path: string,
): Promise<Record<string, unknown> | 'invalid' | null> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    return isObject ? (parsed as Record<string, unknown>) : 'invalid';
  } catch {
    return 'invalid';
  }
}

async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(path: string): Promise<void> {
  // some platforms cannot open a folder for syncing; the rename is still atomic there
  const handle = await open(path, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function randomHex(): string {
  return randomBytes(6).toString('hex');
}

function invalid(message: string, options: { cause?: unknown; hint?: string } = {}): SemiprivError {
  return new SemiprivError('SP_MODEL_INVALID', message, options);
}
