import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlags } from './options.js';
import { RUN_SPEC, runCommand, runOptionsFromFlags } from './run-command.js';

const parse = (...argv: string[]) => runOptionsFromFlags(parseFlags(RUN_SPEC, argv).flags);

describe('semipriv run flags', () => {
  it('reads the grid point and the settings from their flags', () => {
    const options = parse('--dataset', 'fashion-mnist', '--n-ae', '20', '--n-classifier', '30');
    expect(options).toMatchObject({ dataset: 'fashion-mnist', nAe: 20, nClassifier: 30 });
  });

  it('explains that zero labelled images is the zero-leakage rule every run measures', () => {
    expect(() => parse('--n-classifier', '0')).toThrow(
      /--n-classifier: 0 trains no classifier; the zero-leakage rule, which uses no labelled image, is measured by every run \(zeroLeakageAccuracy/,
    );
  });
});

describe('semipriv run', () => {
  it('leaves no empty folder behind when the run fails', async () => {
    const root = await mkdtemp(join(tmpdir(), 'semipriv-run-'));
    const out = join(root, 'a', 'b');
    // a client cannot hold more images than its class has, so the run fails on partitioning
    const flags = parseFlags(RUN_SPEC, ['--n-ae', '7000', '--out', out]).flags;
    await expect(runCommand(flags)).rejects.toMatchObject({ code: 'SP_PARTITION' });
    expect(await readdir(root)).toEqual([]);
  });
});
