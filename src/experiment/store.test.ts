import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CellRecord } from './records.js';
import type { ClientSetManifest } from './steps.js';
import { decodeScores, encodeScores, ExperimentStore } from './store.js';

let dir: string;
let store: ExperimentStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semipriv-store-'));
  store = new ExperimentStore(dir);
});

const twoClients = [
  { reconstructionError: Float32Array.of(0.5, 2), discriminatorScore: Float32Array.of(0.25, 1) },
  { reconstructionError: Float32Array.of(-1, 8), discriminatorScore: Float32Array.of(3, 0.125) },
];

function manifest(key: string): ClientSetManifest {
  return {
    format: 'semipriv-client-set',
    formatVersion: 1,
    key,
    dataset: 'mnist',
    nAe: 20,
    seed: 0,
    backend: 'cpu',
    infos: [0, 1].map((label) => ({
      label,
      height: 28,
      width: 28,
      fingerprint: `f${label}`,
      errorStats: { mean: 0, std: 1 },
    })),
    trainSeconds: [1, 2],
    trainWallSeconds: 2,
    scoringSeconds: 1,
    labelledIndices: [7],
    nClassifier: [1],
    testCount: 1,
    testLabels: [1],
  };
}

describe('encodeScores', () => {
  it('writes little-endian float32, client by client, errors before discriminator scores', () => {
    const view = new DataView(encodeScores(twoClients).buffer);
    expect(view.byteLength).toBe(2 * 2 * 2 * 4);
    // client 0: errors at bytes 0 and 4, scores at 8 and 12; client 1 from byte
    // 16
    expect(view.getFloat32(4, true)).toBe(2);
    expect(view.getFloat32(8, true)).toBe(0.25);
    expect(view.getFloat32(16, true)).toBe(-1);
    expect(view.getFloat32(28, true)).toBe(0.125);
  });

  it('reads back what it wrote, and refuses a file of the wrong length', () => {
    const bytes = encodeScores(twoClients);
    expect(decodeScores(bytes, 2, 2, 'x')).toEqual(twoClients);
    expect(() => decodeScores(bytes.subarray(4), 2, 2, 'x.f32')).toThrow(/x.f32: .*28 bytes/);
  });
});

describe('ExperimentStore', () => {
  it("saves a client set's scores and reads them back through its manifest", async () => {
    const record = await store.writeClientSet(manifest('mnist-nae20-seed0'), twoClients);
    expect(record.scoresFile).toBe('mnist-nae20-seed0.scores.f32');
    const read = await store.readClientSet('mnist-nae20-seed0');
    expect(read).toEqual(record);
    expect(await store.readScores(record)).toEqual(twoClients);
    expect((await store.listClientSets()).map((s) => s.key)).toEqual(['mnist-nae20-seed0']);
  });

  it('refuses scores changed after their manifest was written', async () => {
    const record = await store.writeClientSet(manifest('k'), twoClients);
    const path = join(dir, 'client-sets', record.scoresFile);
    const bytes = await readFile(path);
    bytes[3] ^= 1;
    await writeFile(path, bytes);
    await expect(store.readScores(record)).rejects.toMatchObject({
      code: 'SP_RESULTS_INVALID',
      message: expect.stringMatching(/k.scores.f32: .*SHA-256/),
    });
  });

  it('keeps infinite indices through the JSON file', async () => {
    const cell = {
      format: 'semipriv-cell',
      formatVersion: 1,
      key: 'c',
      clients: [{ label: 0, auroc: 1, aurocDiscriminator: 1, csm: Infinity, db: -Infinity }],
    } as unknown as CellRecord;
    await store.writeCell(cell);
    const text = await readFile(join(dir, 'cells', 'c.json'), 'utf8');
    expect(text).toContain('"csm": "Infinity"');
    const read = await store.readCell('c');
    expect(read?.clients[0].csm).toBe(Infinity);
    expect(read?.clients[0].db).toBe(-Infinity);
  });

  it('answers null for a cell not written, and refuses a damaged one by name', async () => {
    expect(await store.readCell('nothing')).toBeNull();
    expect(await store.listCells()).toEqual([]);
    await store.writeCell({ format: 'semipriv-cell', formatVersion: 1, key: 'ok' } as CellRecord);
    await writeFile(join(dir, 'cells', 'bad.json'), '{"format": "semipriv-cell", "format');
    await expect(store.readCell('bad')).rejects.toThrow(/cells\/bad.json: .*not JSON/);
    await writeFile(join(dir, 'cells', 'bad.json'), '{"format": "other"}');
    await expect(store.listCells()).rejects.toMatchObject({ code: 'SP_RESULTS_INVALID' });
  });

  it('refuses a cell file saved under another key', async () => {
    await store.writeCell({ format: 'semipriv-cell', formatVersion: 1, key: 'a' } as CellRecord);
    const text = await readFile(join(dir, 'cells', 'a.json'), 'utf8');
    await writeFile(join(dir, 'cells', 'b.json'), text);
    await expect(store.readCell('b')).rejects.toThrow(/key "a"/);
  });

  it('removes the temporaries of writes whose process is gone, and only those', async () => {
    await store.writeCell({ format: 'semipriv-cell', formatVersion: 1, key: 'c' } as CellRecord);
    const cells = join(dir, 'cells');
    // no process has an id this high; this one's own is alive
    const dead = '.d.json.99999999-0123456789ab.tmp';
    const live = `.e.json.${process.pid}-0123456789ab.tmp`;
    for (const name of [dead, live, '.hidden']) await writeFile(join(cells, name), '');
    await store.removeTemporaries();
    expect((await readdir(cells)).sort()).toEqual([live, '.hidden', 'c.json'].sort());
  });

  it("refuses a file, and a folder with another command's output unless replacing it", async () => {
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await expect(store.checkFolder(false)).resolves.toBeUndefined();
    await expect(new ExperimentStore(join(dir, 'notes.txt')).checkFolder(true)).rejects.toThrow(
      `--out ${join(dir, 'notes.txt')}: expected a folder, received a file`,
    );
    await writeFile(join(dir, 'results.json'), '{}');
    await expect(store.checkFolder(false)).rejects.toMatchObject({
      code: 'SP_FILE',
      message: expect.stringContaining('holds results.json but no experiment.json'),
    });
    await expect(store.checkFolder(true)).resolves.toBeUndefined();
    await writeFile(join(dir, 'manifest.json'), '{}');
    await expect(store.checkFolder(true)).rejects.toThrow('received a model folder');
  });

  it('lets one process at a time write, and takes over the lock of one that is gone', async () => {
    const release = await store.lock();
    await expect(store.lock()).rejects.toMatchObject({
      code: 'SP_EXPERIMENT_BUSY',
      message: expect.stringContaining(`another semipriv experiment (process ${process.pid})`),
    });
    await release();
    expect(await readdir(dir)).toEqual([]);
    // giving back a lock another process holds leaves it
    await writeFile(join(dir, '.semipriv-lock'), '1\n');
    await store.unlock();
    expect(await readdir(dir)).toEqual(['.semipriv-lock']);
    // no process has an id this high: its run was stopped
    await writeFile(join(dir, '.semipriv-lock'), '99999999\n');
    const again = await store.lock();
    expect(await readFile(join(dir, '.semipriv-lock'), 'utf8')).toBe(`${process.pid}\n`);
    await again();
  });

  it('clears only the files semipriv writes', async () => {
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await store.writeClientSet(manifest('k'), twoClients);
    await store.writeCell({ format: 'semipriv-cell', formatVersion: 1, key: 'c' } as CellRecord);
    await writeFile(join(dir, 'report.html'), '<html>');
    await store.clear();
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });
});
