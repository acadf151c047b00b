import { describe, expect, it } from 'vitest';
import type { Scores } from '../model/bibae.js';
import { DEFAULT_CLASSIFIER_OPTIONS } from '../model/classifier.js';
import type { ClientEndpoint } from '../transport/types.js';
import { scoreFeatures, Server } from './server.js';

function scores(errors: number[], disc: number[]): Scores {
  return {
    reconstructionError: Float32Array.from(errors),
    discriminatorScore: Float32Array.from(disc),
  };
}

describe('scoreFeatures', () => {
  it('lays out ln(error) and discriminator score per client, in client order', () => {
    const f = scoreFeatures(
      [scores([1, Math.E], [0.25, 0.5]), scores([Math.E ** 2, 1], [1, 0])],
      2,
    );
    // row 0: ln 1, 0.25, ln e², 1 — row 1: ln e, 0.5, ln 1, 0
    expect(Array.from(f).map((v) => Number(v.toFixed(5)))).toEqual([0, 0.25, 2, 1, 1, 0.5, 0, 0]);
  });
});

describe('Server', () => {
  const endpoint = (label: number): ClientEndpoint => ({
    label,
    info: () => Promise.reject(new Error('unused')),
    score: () => Promise.reject(new Error('unused')),
  });

  it('orders its clients by label', () => {
    expect(new Server([endpoint(2), endpoint(0), endpoint(1)]).labels).toEqual([0, 1, 2]);
  });

  it('refuses labelled images of a class no client holds, naming the label', async () => {
    const server = new Server([endpoint(0), endpoint(1)]);
    const labelled = {
      images: new Uint8Array(2 * 784),
      labels: Uint8Array.from([0, 7]),
      count: 2,
      height: 28,
      width: 28,
    };
    await expect(
      server.fit(labelled, new Float32Array(8), {
        seed: 0,
        classifier: DEFAULT_CLASSIFIER_OPTIONS,
      }),
    ).rejects.toThrow(
      expect.objectContaining({
        code: 'SP_PARTITION',
        message: expect.stringContaining('label 7, which no client holds'),
        hint: expect.stringContaining('add a client for the missing class'),
      }),
    );
    // before asking any client to score: these endpoints would fail with 'unused'
    await expect(
      server.train(labelled, { seed: 0, classifier: DEFAULT_CLASSIFIER_OPTIONS }),
    ).rejects.toMatchObject({ code: 'SP_PARTITION' });
  });
});
