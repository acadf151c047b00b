import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkModelTarget,
  decodeWeights,
  encodeWeights,
  readModelDir,
  sha256Hex,
  writeModelDir,
} from './weights-file.js';

const WEIGHTS = [
  { name: 'a', shape: [2], values: Float32Array.of(1, -2) },
  { name: 'b', shape: [1, 1], values: Float32Array.of(0.5) },
];

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'semipriv-weights-'));
}

describe('encodeWeights', () => {
  it('writes float32 little-endian values back to back, with their offsets', () => {
    const files = encodeWeights(WEIGHTS);
    // 1 = 0x3f800000, -2 = 0xc0000000, 0.5 = 0x3f000000, least significant byte first
    expect(Array.from(files['weights.bin'])).toEqual([
      0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0, 0x3f,
    ]);
    const index = JSON.parse(new TextDecoder().decode(files['weights.json']));
    expect(index.entries).toEqual([
      { name: 'a', shape: [2], offset: 0 },
      { name: 'b', shape: [1, 1], offset: 8 },
    ]);
  });

  it('reads back what it wrote', () => {
    const files = new Map(Object.entries(encodeWeights(WEIGHTS)));
    expect(decodeWeights(files, 'm')).toEqual(WEIGHTS);
  });

  it('refuses an index whose offsets do not tile the binary file', () => {
    const files = encodeWeights(WEIGHTS);
    const index = JSON.parse(new TextDecoder().decode(files['weights.json']));
    index.entries[1].offset = 4;
    const altered = new Map([
      ['weights.json', new TextEncoder().encode(JSON.stringify(index))],
      ['weights.bin', files['weights.bin']],
    ]);
    expect(() => decodeWeights(altered, 'm')).toThrow(
      'm/weights.json: "entries"[1]: expected "offset" to be a whole number ≥ 8 and ≤ 8',
    );
    const short = new Map([...Object.entries(files)]);
    short.set('weights.bin', files['weights.bin'].subarray(0, 8));
    expect(() => decodeWeights(short, 'm')).toThrow('b runs past the end of the file');
  });
});

describe('writeModelDir and readModelDir', () => {
  const files = { 'a.bin': Uint8Array.of(1, 2, 3) };

  it('writes the files and a manifest with their SHA-256, and reads them back', async () => {
    const dir = join(await tempDir(), 'model');
    await writeModelDir(dir, 'client', { label: 4 }, files);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    // SHA-256 of the bytes 01 02 03, computed independently
    const hash = '039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81';
    expect(sha256Hex(Uint8Array.of(1, 2, 3))).toBe(hash);
    expect(manifest).toMatchObject({
      format: 'semipriv-model',
      formatVersion: 1,
      kind: 'client',
      label: 4,
      files: { 'a.bin': { sha256: hash, bytes: 3 } },
    });
    const read = await readModelDir(dir, 'client');
    expect(Array.from(read.files.get('a.bin') ?? [])).toEqual([1, 2, 3]);
    expect(read.manifest.number('label')).toBe(4);
  });

  it('replaces a model only when asked to, and leaves no temporary folder behind', async () => {
    const parent = await tempDir();
    const dir = join(parent, 'model');
    await writeModelDir(dir, 'client', { label: 1 }, files);
    await expect(writeModelDir(dir, 'client', { label: 2 }, files)).rejects.toThrow(
      'already holds a client model',
    );
    const replace = { replace: true };
    await writeModelDir(dir, 'client', { label: 2 }, { 'b.bin': Uint8Array.of(9) }, replace);
    expect(await readdir(parent)).toEqual(['model']);
    expect((await readdir(dir)).sort()).toEqual(['b.bin', 'manifest.json']);
    expect((await readModelDir(dir, 'client')).manifest.number('label')).toBe(2);
  });

  it('lets a model be written to a new folder, and over a model only when asked to replace it', async () => {
    const parent = await tempDir();
    const dir = join(parent, 'model');
    await expect(checkModelTarget(dir, 'server', false)).resolves.toBeUndefined();
    const created = await writeModelDir(dir, 'server', {}, files);
    expect(created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await expect(checkModelTarget(dir, 'server', false)).rejects.toMatchObject({
      code: 'SP_OPTION',
      message: `--model-dir ${dir}: already holds a server model saved ${created}`,
      hint: 'Pass --force to replace it, or name a new folder with --model-dir.',
    });
    await expect(checkModelTarget(dir, 'server', true)).resolves.toBeUndefined();

    // never over a model of the other kind, a file, or a folder of other files
    await expect(checkModelTarget(dir, 'client', true)).rejects.toThrow(
      `--model-dir ${dir}: expected a new folder or a client model, received a server model saved`,
    );
    await writeFile(join(parent, 'notes.txt'), 'mine');
    await expect(checkModelTarget(join(parent, 'notes.txt'), 'client', true)).rejects.toThrow(
      'expected a folder, received a file',
    );
    await expect(checkModelTarget(parent, 'client', true)).rejects.toThrow(
      'received a folder that holds other files',
    );
  });

  it('names a model whose manifest is not a JSON object without failing on it', async () => {
    const dir = await tempDir();
    for (const text of ['null', '{bad', '[1]']) {
      await writeFile(join(dir, 'manifest.json'), text);
      await expect(checkModelTarget(dir, 'client', true)).rejects.toMatchObject({
        code: 'SP_OPTION',
        message: `--model-dir ${dir}: expected a new folder or a model directory, received a folder whose manifest.json is not a JSON object`,
        hint: 'The model there is damaged: move it aside, or name a new folder with --model-dir.',
      });
    }
    await writeFile(join(dir, 'manifest.json'), '{"created": "2026-01-01T00:00:00.000Z"}');
    await expect(checkModelTarget(dir, 'client', true)).rejects.toThrow(
      'expected a new folder or a client model, received a model of unknown kind saved 2026-01-01T00:00:00.000Z',
    );
  });

  it('refuses at the swap a model another writer saved after the first check', async () => {
    const dir = join(await tempDir(), 'model');
    const first = writeModelDir(dir, 'client', { label: 1 }, files);
    const second = writeModelDir(dir, 'client', { label: 2 }, files);
    const outcomes = await Promise.allSettled([first, second]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(
      String((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason),
    ).toContain('already holds a client model');
  });

  it('refuses to overwrite a folder that is not a model', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await expect(writeModelDir(dir, 'client', {}, files)).rejects.toThrow(
      'received a folder that holds other files',
    );
  });

  it('refuses an altered file, naming it', async () => {
    const dir = join(await tempDir(), 'model');
    await writeModelDir(dir, 'client', {}, files);
    await writeFile(join(dir, 'a.bin'), Uint8Array.of(1, 2, 4));
    await expect(readModelDir(dir, 'client')).rejects.toMatchObject({
      code: 'SP_MODEL_INVALID',
      message: `${join(dir, 'a.bin')}: SHA-256 differs from manifest.json; the file was altered`,
    });
  });

  it('refuses a missing file, another kind and another format version', async () => {
    const dir = join(await tempDir(), 'model');
    await writeModelDir(dir, 'server', {}, files);
    await expect(readModelDir(dir, 'client')).rejects.toThrow(
      'expected a client model, received kind server',
    );
    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    await writeFile(manifestPath, JSON.stringify({ ...manifest, formatVersion: 2 }));
    await expect(readModelDir(dir, 'server')).rejects.toThrow(
      'expected "formatVersion" to be one of 1, received 2',
    );
    await writeFile(manifestPath, JSON.stringify({ ...manifest, files: { 'c.bin': {} } }));
    await expect(readModelDir(dir, 'server')).rejects.toThrow(
      `${join(dir, 'c.bin')}: cannot read (ENOENT)`,
    );
  });

  it('names a missing model folder as a path to check, not a damaged model', async () => {
    const dir = join(await tempDir(), 'mistyped');
    await expect(readModelDir(dir, 'server')).rejects.toMatchObject({
      code: 'SP_FILE',
      message: `${dir}: no such model folder`,
      hint: 'Check --model-dir: it names the folder that semipriv server train wrote.',
    });
  });

  it('names a folder without a manifest, or with a model of the other kind, as a path to check', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.png'), 'not a model');
    await expect(readModelDir(dir, 'client')).rejects.toMatchObject({
      code: 'SP_FILE',
      message: `${dir}: not a model folder (it holds no manifest.json)`,
      hint: 'Check --model-dir: it names the folder that semipriv client train wrote.',
    });
    const server = join(dir, 'server');
    await writeModelDir(server, 'server', {}, files);
    await expect(readModelDir(server, 'client')).rejects.toMatchObject({
      code: 'SP_MODEL_INVALID',
      message: `${join(server, 'manifest.json')}: expected a client model, received kind server`,
      hint: 'Check --model-dir: it names the folder that semipriv client train wrote.',
    });
  });
});
