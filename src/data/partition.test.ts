import { describe, expect, it } from 'vitest';
import { partition, type Partition } from './partition.js';
import type { ImageSet } from './types.js';

// labels without real pixels: `perClass` 1×1 images of each of `classes`
// labels, interleaved so that index i has label i % classes
function syntheticSet(perClass: number, classes = 10): ImageSet {
  const count = perClass * classes;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % classes);
  return { images: new Uint8Array(count), labels, count, height: 1, width: 1 };
}

function labelCounts(set: ImageSet, indices: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const i of indices) counts.set(set.labels[i], (counts.get(set.labels[i]) ?? 0) + 1);
  return counts;
}

const mnistLike = syntheticSet(6000);
const options = { nAe: 2000, nClassifier: 1000, seed: 42 };

describe('partition', () => {
  const p: Partition = partition(mnistLike, options);

  it('gives each client all images of its class and a draw of nAe of them', () => {
    expect(p.clients.map((c) => c.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const client of p.clients) {
      expect(client.privateIndices).toHaveLength(6000);
      expect(client.privateIndices.every((i) => i % 10 === client.label)).toBe(true);
      expect(client.trainIndices).toHaveLength(2000);
      expect(new Set(client.trainIndices).size).toBe(2000);
      expect(client.trainIndices.every((i) => i % 10 === client.label)).toBe(true);
    }
  });

  it('computes leakage as 1000/60000 on MNIST-sized data', () => {
    expect(p.nPrivate).toBe(60000);
    expect(p.leakage).toBeCloseTo(1 / 60, 12);
  });

  it('draws 100 labelled images per class, none from an autoencoder draw', () => {
    expect(p.labelledIndices).toHaveLength(1000);
    expect(new Set(p.labelledIndices).size).toBe(1000);
    const counts = labelCounts(mnistLike, p.labelledIndices);
    for (let label = 0; label < 10; label++) expect(counts.get(label)).toBe(100);
    const trained = new Set(p.clients.flatMap((c) => c.trainIndices));
    expect(p.labelledIndices.filter((i) => trained.has(i))).toEqual([]);
  });

  it('shuffles the labelled subset so classes are interleaved', () => {
    const labels = p.labelledIndices.map((i) => mnistLike.labels[i]);
    const runs = labels.filter((label, i) => i === 0 || label !== labels[i - 1]).length;
    // grouped by class there would be 10 runs; a shuffle gives about 900
    expect(runs).toBeGreaterThan(800);
  });

  it('gives the remainder of an uneven split to the first classes', () => {
    const small = partition(syntheticSet(50), { nAe: 10, nClassifier: 23, seed: 1 });
    const counts = labelCounts(syntheticSet(50), small.labelledIndices);
    const perClass = Array.from({ length: 10 }, (_, label) => counts.get(label));
    expect(perClass).toEqual([3, 3, 3, 2, 2, 2, 2, 2, 2, 2]);
  });

  it('repeats the same draws for the same seed and differs for another', () => {
    const again = partition(mnistLike, options);
    expect(again).toEqual(p);
    const other = partition(mnistLike, { ...options, seed: 43 });
    expect(other.clients[0].trainIndices).not.toEqual(p.clients[0].trainIndices);
    expect(other.labelledIndices).not.toEqual(p.labelledIndices);
  });

  it('allows an empty labelled subset with zero leakage', () => {
    const none = partition(mnistLike, { ...options, nClassifier: 0 });
    expect(none.labelledIndices).toEqual([]);
    expect(none.leakage).toBe(0);
  });

  it('serves only the given labels, in the given order', () => {
    const two = partition(mnistLike, { ...options, labels: [7, 2], nClassifier: 5 });
    expect(two.clients.map((c) => c.label)).toEqual([7, 2]);
    expect(two.nPrivate).toBe(12000);
    const counts = labelCounts(mnistLike, two.labelledIndices);
    expect([counts.get(7), counts.get(2)]).toEqual([3, 2]);
  });

  it('overlaps the autoencoder draw only as far as a small class forces it', () => {
    // 10 images, 8 for the autoencoder, a quota of 5: 2 unused + 3 drawn
    const tiny = syntheticSet(10, 1);
    const q = partition(tiny, { nAe: 8, nClassifier: 5, seed: 3 });
    const trained = new Set(q.clients[0].trainIndices);
    const unused = q.clients[0].privateIndices.filter((i) => !trained.has(i));
    expect(unused).toHaveLength(2);
    expect(q.labelledIndices).toHaveLength(5);
    expect(new Set(q.labelledIndices).size).toBe(5);
    expect(unused.every((i) => q.labelledIndices.includes(i))).toBe(true);
    expect(q.labelledIndices.filter((i) => trained.has(i))).toHaveLength(3);
  });
});

describe('partition errors', () => {
  it('rejects nAe larger than a class, naming class, ask and holding', () => {
    expect(() => partition(mnistLike, { ...options, nAe: 6001 })).toThrow(
      expect.objectContaining({
        code: 'SP_PARTITION',
        message: expect.stringMatching(/class 0.*6001.*holds 6000/),
      }),
    );
  });

  it('rejects a labelled quota larger than a class', () => {
    expect(() => partition(syntheticSet(5), { nAe: 1, nClassifier: 60, seed: 0 })).toThrow(
      expect.objectContaining({
        code: 'SP_PARTITION',
        message: expect.stringMatching(/class 0.*asked for 6 .*holds 5/),
      }),
    );
  });

  it('rejects a label with no images', () => {
    expect(() => partition(mnistLike, { ...options, labels: [3, 12] })).toThrow(
      expect.objectContaining({
        code: 'SP_PARTITION',
        message: expect.stringContaining('class 12'),
      }),
    );
  });

  it('rejects repeated labels', () => {
    expect(() => partition(mnistLike, { ...options, labels: [1, 1] })).toThrow(
      expect.objectContaining({ code: 'SP_PARTITION' }),
    );
  });

  it('rejects nAe below 1 and counts that are not whole numbers', () => {
    for (const bad of [{ nAe: 0 }, { nAe: 2.5 }, { nClassifier: -1 }, { nClassifier: NaN }]) {
      expect(() => partition(mnistLike, { ...options, ...bad })).toThrow(
        expect.objectContaining({ code: 'SP_OPTION' }),
      );
    }
  });
});
