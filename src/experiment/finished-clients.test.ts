import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FinishedClientsFolder, type FinishedClient } from './finished-clients.js';

const probes = { labelledIndices: [4, 9], testCount: 1 };

function client(label: number): FinishedClient {
  return {
    info: {
      label,
      height: 28,
      width: 28,
      fingerprint: String(label).repeat(64),
      errorStats: { mean: -4, std: 0.5 },
    },
    seconds: 10 + label,
    scores: {
      reconstructionError: Float32Array.of(0.1, 0.2, label),
      discriminatorScore: Float32Array.of(0.9, 0.8, 0.5),
    },
  };
}

async function folder(): Promise<FinishedClientsFolder> {
  return new FinishedClientsFolder(join(await mkdtemp(join(tmpdir(), 'semipriv-kept-')), 'set'));
}

describe('FinishedClientsFolder', () => {
  it('gives back nothing before the first client is kept', async () => {
    expect(await (await folder()).load(probes)).toEqual([]);
  });

  it('gives back every kept client with its scores, in label order', async () => {
    const kept = await folder();
    await kept.save(probes, client(12));
    await kept.save(probes, client(7));
    await kept.save(probes, client(2));
    expect(await kept.load(probes)).toEqual([client(2), client(7), client(12)]);
  });

  it('ignores clients that scored other probes', async () => {
    const kept = await folder();
    await kept.save(probes, client(1));
    expect(await kept.load({ ...probes, labelledIndices: [4, 10] })).toEqual([]);
    expect(await kept.load({ ...probes, testCount: 2 })).toEqual([]);
  });

  it('refuses scores altered after they were kept, naming the file', async () => {
    const kept = await folder();
    await kept.save(probes, client(3));
    const path = join(kept.dir, 'client-3.scores.f32');
    await writeFile(path, new Uint8Array(24));
    await expect(kept.load(probes)).rejects.toMatchObject({
      code: 'SP_RESULTS_INVALID',
      message: expect.stringContaining(path),
    });
  });

  it('deletes the folder when cleared', async () => {
    const kept = await folder();
    await kept.save(probes, client(0));
    await kept.clear();
    expect(await kept.load(probes)).toEqual([]);
  });
});
