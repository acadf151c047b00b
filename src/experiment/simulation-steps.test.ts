import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExperiment } from './experiment.js';
import { DEFAULT_EXPERIMENT_OPTIONS, type ExperimentOptions } from './grid.js';
import { createSimulationSteps } from './simulation-steps.js';
import { ExperimentStore } from './store.js';

describe('the experiment on real MNIST with tiny clients', () => {
  it('trains each client set once and evaluates every cell from its saved scores', async () => {
    const options: ExperimentOptions = {
      ...DEFAULT_EXPERIMENT_OPTIONS,
      dataset: ['mnist'],
      nAe: [20],
      nClassifier: [100, 200],
      seeds: [0, 1],
      epochs: 2,
      classifierEpochs: 2,
      classifierMinSteps: 0,
      latentDim: 16,
      testLimit: 300,
      backend: 'wasm',
      workers: 2,
      out: await mkdtemp(join(tmpdir(), 'semipriv-tiny-')),
    };
    const outcome = await runExperiment(options, await createSimulationSteps(options));
    expect(outcome).toMatchObject({ cellsRun: 4, clientSetsTrained: 2 });

    // one client set: 10 + 20 labelled images per class, the 10 inside the 20
    const store = new ExperimentStore(options.out);
    const set = await store.readClientSet('mnist-nae20-seed0');
    expect(set?.labelledIndices).toHaveLength(200);
    expect(set?.testLabels).toHaveLength(300);
    expect(new Set(set?.infos.map((i) => i.fingerprint)).size).toBe(10);
    // 10 clients × 2 scores × (200 + 300) probes × 4 bytes
    const scoresFile = join(options.out, 'client-sets', set?.scoresFile ?? '');
    expect((await stat(scoresFile)).size).toBe(40_000);

    const cells = await store.listCells();
    expect(cells.map((c) => c.key)).toEqual([
      'mnist-nae20-seed0-ncl100',
      'mnist-nae20-seed0-ncl200',
      'mnist-nae20-seed1-ncl100',
      'mnist-nae20-seed1-ncl200',
    ]);
    for (const cell of cells) {
      expect(cell.leakage).toBeCloseTo(cell.nClassifier / 60_000, 12);
      expect(cell.nTest).toBe(300);
      const diagonal = cell.confusion.reduce((s, row, i) => s + row[i], 0);
      expect(cell.confusion.flat().reduce((s, v) => s + v, 0)).toBe(300);
      expect(cell.accuracy.scheme).toBeCloseTo(diagonal / 300, 12);
      for (const a of Object.values(cell.accuracy)) expect(a).toBeGreaterThanOrEqual(0);
      expect(cell.clients.map((c) => c.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    // the classifier-free rule reads the same scores for any N_classifier
    expect(cells[1].accuracy.zeroLeakage).toBe(cells[0].accuracy.zeroLeakage);

    // run again: everything is saved, so no client trains
    const again = await runExperiment(options, await createSimulationSteps(options));
    expect(again).toMatchObject({ cellsRun: 0, cellsSkipped: 4, clientSetsTrained: 0 });
  });
});
