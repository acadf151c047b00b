import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_OPTIONS, limitSet, runScheme, type RunOptions } from './run.js';

const TINY: RunOptions = {
  ...DEFAULT_RUN_OPTIONS,
  nAe: 20,
  nClassifier: 200,
  epochs: 10,
  classifierEpochs: 8,
  classifierMinSteps: 0,
  latentDim: 16,
  testLimit: 300,
  backend: 'wasm',
  workers: 2,
};

describe('runScheme', () => {
  it('runs the whole scheme on real MNIST and beats chance by far', async () => {
    const result = await runScheme(TINY);
    expect(result.leakage).toBeCloseTo(200 / 60000, 10);
    expect(result.nPrivate).toBe(60000);
    expect(result.nTest).toBe(300);
    expect(result.clients.map((c) => c.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // ten classes: chance is 10%; even ten steps per client land far above it
    expect(result.testAccuracy).toBeGreaterThan(0.5);
    expect(result.zeroLeakageAccuracy).toBeGreaterThan(0.3);
    const meanAuroc = result.clients.reduce((s, c) => s + c.auroc, 0) / 10;
    expect(meanAuroc).toBeGreaterThan(0.7);
    for (const c of result.clients) expect(c.db).toBeGreaterThan(0);
  });

  it('gives identical clients and accuracy with one worker and with two', async () => {
    const [one, two] = [
      await runScheme({ ...TINY, workers: 1, epochs: 2, classifierEpochs: 2 }),
      await runScheme({ ...TINY, workers: 2, epochs: 2, classifierEpochs: 2 }),
    ];
    expect(two.clients.map((c) => c.fingerprint)).toEqual(one.clients.map((c) => c.fingerprint));
    expect(two.testAccuracy).toBe(one.testAccuracy);
  });
});

describe('limitSet', () => {
  // labels 0 0 1 0 2 1: class 2 first appears at index 4
  const set = {
    images: Uint8Array.from({ length: 6 }, (_, i) => i),
    labels: Uint8Array.of(0, 0, 1, 0, 2, 1),
    count: 6,
    height: 1,
    width: 1,
  };

  it('keeps the first images when every class is among them', () => {
    const five = limitSet(set, 5);
    expect(Array.from(five.labels)).toEqual([0, 0, 1, 0, 2]);
    expect(Array.from(five.images)).toEqual([0, 1, 2, 3, 4]);
    expect(limitSet(set, 0)).toBe(set);
  });

  it('refuses a limit that leaves a class out, naming the class and the limit needed', () => {
    expect(() => limitSet(set, 2)).toThrow(
      '--test-limit 2: the first 2 test images hold no image of class 1, 2; pass at least 5',
    );
  });
});
