import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  experimentOptionsFromFlags,
  EXPERIMENT_SPEC,
  progressEvents,
} from './experiment-command.js';
import { parseFlags } from './options.js';
import { Progress } from './progress.js';
import { REPORT_SPEC, reportCommand } from './report-command.js';

const parse = (...argv: string[]) =>
  experimentOptionsFromFlags(parseFlags(EXPERIMENT_SPEC, argv).flags);

describe('semipriv experiment flags', () => {
  it('refuses a stray argument instead of running without it', () => {
    expect(() => parseFlags(EXPERIMENT_SPEC, ['--out', 'x', 'mnist'])).toThrow(
      'expected only flags, received "mnist"',
    );
    expect(parseFlags(REPORT_SPEC, ['runs/x']).positionals).toEqual(['runs/x']);
  });

  it('refuses a --data-dir that does not exist while reading the flags, before any file is written', async () => {
    const root = await mkdtemp(join(tmpdir(), 'semipriv-flags-'));
    const missing = join(root, 'idx');
    expect(() =>
      parse('--out', join(root, 'out'), '--dataset', 'mnist', '--data-dir', missing),
    ).toThrow(
      expect.objectContaining({
        code: 'SP_FILE',
        message: `--data-dir ${missing}: no such folder`,
      }),
    );
    expect(parse('--out', 'o', '--dataset', 'mnist', '--data-dir', root).dataDir).toBe(root);
    // one folder of IDX files holds one dataset
    expect(() => parse('--out', 'o', '--data-dir', root)).toThrow(
      '--data-dir: expected one dataset, received mnist and fashion-mnist',
    );
  });

  it('takes -h as --help', () => {
    expect(parseFlags(EXPERIMENT_SPEC, ['-h']).help).toBe(true);
    expect(parseFlags(EXPERIMENT_SPEC, ['--out', 'x']).help).toBe(false);
  });

  it('reads the grid as comma-separated lists', () => {
    const options = parse(
      '--out',
      'runs/x',
      '--dataset',
      'fashion-mnist',
      '--n-ae',
      '20,100',
      '--n-classifier',
      '100, 200',
      '--seeds',
      '3',
      '--test-limit',
      '300',
      '--fresh',
    );
    expect(options).toMatchObject({
      out: 'runs/x',
      dataset: ['fashion-mnist'],
      nAe: [20, 100],
      nClassifier: [100, 200],
      seeds: [3],
      testLimit: 300,
      fresh: true,
    });
  });

  it("takes the paper's grid on both datasets by default, and 'all' for both", () => {
    const options = parse('--out', 'o');
    expect(options).toMatchObject({
      dataset: ['mnist', 'fashion-mnist'],
      nAe: [100, 1000],
      nClassifier: [1000, 3000, 6000],
      seeds: [0, 1, 2],
      fresh: false,
    });
    expect(parse('--out', 'o', '--dataset', 'all').dataset).toEqual(['mnist', 'fashion-mnist']);
  });

  it('refuses a missing --out, a labelled subset of 0 and fractional seeds', () => {
    expect(() => parse()).toThrow(/--out DIR is required/);
    expect(() => parse('--out', 'o', '--n-classifier', '1000,0')).toThrow(
      /--n-classifier: 0 is no cell of its own; the zero-leakage rule/,
    );
    expect(() => parse('--out', 'o', '--n-classifier', '1000,-5')).toThrow(
      /--n-classifier: expected whole numbers ≥ 1 separated by commas, received "-5"/,
    );
    expect(() => parse('--out', 'o', '--seeds', '1.5')).toThrow(/--seeds: .*"1.5"/);
    expect(() => parse('--out', 'o', '--dataset', 'cifar')).toThrow(/one of mnist/);
  });
});

describe('experiment progress', () => {
  it('writes the step, the cell count and the time left', () => {
    const lines: string[] = [];
    const stream = { write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const events = progressEvents(new Progress(stream, 'lines'), false);
    let left: number | null = null;
    let atLeast = 0;
    const status = {
      where: 'mnist N_AE=100 seed 0',
      step: 'training clients',
      cellsDone: 3,
      cellsTotal: 12,
      secondsLeft: () => left,
      secondsAtLeast: () => atLeast,
    };
    events.onStatus?.(status);
    atLeast = 600;
    events.onStatus?.(status);
    left = 3725;
    events.onStatus?.(status);
    expect(lines[0]).toMatch(
      /mnist N_AE=100 seed 0: training clients · cell 4\/12 · time left: estimating\n$/,
    );
    expect(lines[1]).toMatch(/· cell 4\/12 · over 10 min 00 s left \(cells not timed yet\)\n$/);
    expect(lines[2]).toMatch(/· cell 4\/12 · about 1 h 02 min left\n$/);

    // off a terminal, classifier epochs show at each fifth only: 2, 4, 6, 8, 10
    for (let epoch = 1; epoch <= 10; epoch++) events.onClassifierEpoch?.(epoch, 10, 0.5);
    expect(lines).toHaveLength(3 + 5);
    expect(lines[7]).toMatch(/epoch 10\/10, loss 0.5000\n$/);
  });
});

describe('semipriv report', () => {
  it('takes exactly one folder', async () => {
    await expect(reportCommand({}, [])).rejects.toThrow(/expected one folder, received 0/);
    await expect(reportCommand({}, ['a', 'b'])).rejects.toMatchObject({ code: 'SP_OPTION' });
  });

  it('tells a missing folder from one that holds no experiment', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'semipriv-report-'));
    const missing = join(empty, 'nope');
    await expect(reportCommand({}, [missing])).rejects.toMatchObject({
      code: 'SP_FILE',
      message: `semipriv report: ${missing}: no such folder`,
    });
    await expect(reportCommand({}, [empty])).rejects.toMatchObject({
      code: 'SP_OPTION',
      message: expect.stringContaining(`found no experiment.json in ${empty}`),
    });
  });
});
