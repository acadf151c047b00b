import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkDistinct,
  readScoresFile,
  ScoresFileEndpoint,
  writeScoresFile,
  type ScoresFile,
} from './scores-file.js';

const INFO = {
  label: 5,
  height: 2,
  width: 2,
  fingerprint: 'c'.repeat(64),
  errorStats: { mean: -1, std: 0.5 },
};
const PROBES = { images: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), count: 2, height: 2, width: 2 };
const SCORES = {
  reconstructionError: Float32Array.of(0.25, 0.1),
  discriminatorScore: Float32Array.of(0.5, 0.9),
};

async function written(): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'semipriv-scores-')), 'scores.json');
  await writeScoresFile(path, INFO, PROBES, SCORES);
  return path;
}

describe('scores files', () => {
  it('round-trips the client facts, the probe hash and the scores exactly', async () => {
    const path = await written();
    const file = await readScoresFile(path);
    expect(file.info).toEqual(INFO);
    expect(file.count).toBe(2);
    expect(file.scores).toEqual(SCORES);
    // SHA-256 of the bytes 01…08, computed independently
    expect(file.probesSha256).toBe(
      '66840dda154e8a113c31dd0ad32f7f3a366a80e8136979d8f5a101d3d29d6f72',
    );
  });

  it('answers the server only for the probes it scored', async () => {
    const path = await written();
    const endpoint = new ScoresFileEndpoint(await readScoresFile(path), path);
    expect(endpoint.label).toBe(5);
    expect(await endpoint.score(PROBES)).toEqual(SCORES);
    const reordered = { ...PROBES, images: Uint8Array.of(5, 6, 7, 8, 1, 2, 3, 4) };
    await expect(endpoint.score(reordered)).rejects.toMatchObject({
      code: 'SP_SCORES_INVALID',
      message:
        `${path}: the file scored other images (or the same in another order) ` +
        'than the labelled ones',
    });
    await expect(endpoint.score({ ...PROBES, count: 3 })).rejects.toThrow(
      'expected scores of 3 images, the file holds 2',
    );
  });

  it('refuses a file whose arrays do not match its count', async () => {
    const path = await written();
    const body = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...body, count: 3 }));
    await expect(readScoresFile(path)).rejects.toThrow(
      `${path}: expected "reconstructionError" to be an array of 3 values`,
    );
  });

  it('refuses two files of one label or one model, naming both', () => {
    const file = (label: number, fp: string): ScoresFile => ({
      info: { ...INFO, label, fingerprint: fp.repeat(64) },
      count: 2,
      probesSha256: '0'.repeat(64),
      scores: SCORES,
    });
    expect(() =>
      checkDistinct([
        { path: 'a.json', file: file(1, 'a') },
        { path: 'b.json', file: file(1, 'b') },
      ]),
    ).toThrow('b.json and a.json both hold label 1');
    expect(() =>
      checkDistinct([
        { path: 'a.json', file: file(1, 'a') },
        { path: 'b.json', file: file(2, 'a') },
      ]),
    ).toThrow('b.json and a.json both hold fingerprint aaaaaaaaaaaa…');
  });
});
