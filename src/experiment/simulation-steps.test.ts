import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExperiment } from './experiment.js';
import { DEFAULT_EXPERIMENT_OPTIONS, type ExperimentOptions } from './grid.js';
import { createSimulationSteps } from './simulation-steps.js';
import type { FinishedClients } from './finished-clients.js';
import type { ExperimentSteps } from './steps.js';
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

  it('keeps each finished client, so a stopped set trains only the clients it lacks', async () => {
    const options: ExperimentOptions = {
      ...DEFAULT_EXPERIMENT_OPTIONS,
      dataset: ['mnist'],
      nAe: [20],
      nClassifier: [100],
      seeds: [3],
      epochs: 2,
      classifierEpochs: 1,
      classifierMinSteps: 0,
      latentDim: 16,
      testLimit: 200,
      backend: 'wasm',
      workers: 2,
      out: await mkdtemp(join(tmpdir(), 'semipriv-stopped-')),
    };

    // the first run stops when the fourth client is about to be kept
    const steps = await createSimulationSteps(options);
    let kept = 0;
    const stopping: ExperimentSteps = {
      backend: steps.backend,
      evaluateCell: (cell, set, events) => steps.evaluateCell(cell, set, events),
      close: () => steps.close(),
      scoreClientSet: (spec, events, finished) => {
        const stopAfterThree: FinishedClients = {
          load: (probes) => finished.load(probes),
          save: async (probes, client) => {
            if (kept === 3) throw new Error('stopped');
            kept++;
            await finished.save(probes, client);
          },
        };
        return steps.scoreClientSet(spec, events, stopAfterThree);
      },
    };
    await expect(runExperiment(options, stopping)).rejects.toThrow('stopped');
    const setsDir = join(options.out, 'client-sets');
    expect((await readdir(join(setsDir, 'mnist-nae20-seed3.clients'))).length).toBe(6);

    // the second run trains the other seven and saves the whole set
    const trained: number[] = [];
    const resumed = await runExperiment(options, await createSimulationSteps(options), {
      onClientTrained: (label) => trained.push(label),
    });
    expect(resumed).toMatchObject({ cellsRun: 1, clientSetsTrained: 1 });
    expect(trained).toHaveLength(7);
    expect(await readdir(setsDir)).not.toContain('mnist-nae20-seed3.clients');

    // the same scores as a run never stopped: training and scoring are seeded
    const whole = { ...options, out: await mkdtemp(join(tmpdir(), 'semipriv-whole-')) };
    await runExperiment(whole, await createSimulationSteps(whole));
    const scoresOf = async (dir: string) => {
      const store = new ExperimentStore(dir);
      const set = await store.readClientSet('mnist-nae20-seed3');
      if (!set) throw new Error(`${dir} has no client set`);
      return store.readScores(set);
    };
    expect(await scoresOf(options.out)).toEqual(await scoresOf(whole.out));
  }, 120_000);

  it('refuses an N_AE a class cannot supply before any client trains', async () => {
    const options: ExperimentOptions = {
      ...DEFAULT_EXPERIMENT_OPTIONS,
      dataset: ['mnist'],
      nAe: [20, 10_000],
      nClassifier: [100],
      seeds: [0],
      backend: 'wasm',
      workers: 1,
      out: await mkdtemp(join(tmpdir(), 'semipriv-too-many-')),
    };
    const trained: number[] = [];
    const run = runExperiment(options, await createSimulationSteps(options), {
      onClientTrained: (label) => trained.push(label),
    });
    await expect(run).rejects.toMatchObject({
      code: 'SP_PARTITION',
      message: 'class 0: asked for 10000 images (N_AE, --n-ae) but the class holds 5923',
    });
    expect(trained).toEqual([]);
  });
});
