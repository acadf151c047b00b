/**
 * `semipriv run`: the whole scheme on one machine, with a summary and `results.json`.
 */
import { mkdir, rename, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { checkDataDir, DATASET_NAMES, parseDatasetName } from '../data/load.js';
import { parseBackend } from '../engine/backend.js';
import { formatRunSummary } from '../report/summary.js';
import {
  DEFAULT_RUN_OPTIONS,
  runScheme,
  type RunOptions,
  type RunResult,
} from '../simulation/run.js';
import { SemiprivError } from '../errors.js';
import { integerFlag, type CommandSpec, type FlagSpec, type ParsedFlags } from './options.js';
import { BACKEND_FLAG } from './service-flags.js';
import { Progress } from './progress.js';

const d = DEFAULT_RUN_OPTIONS;

/** Flags `semipriv run` shares with `semipriv experiment`: backend, workers, test limit. */
export const SIMULATION_FLAGS: readonly FlagSpec[] = [
  {
    ...BACKEND_FLAG,
    defaultText: 'auto (tensorflow when @tensorflow/tfjs-node is installed, else wasm)',
  },
  {
    name: 'workers',
    type: 'number',
    defaultText: 'number of CPU cores',
    description: 'Worker threads that train and hold the clients',
  },
  {
    name: 'test-limit',
    type: 'number',
    defaultText: 'all',
    description: 'Evaluate on the first N test images only',
  },
];

/** Flags of `semipriv run`. */
export const RUN_SPEC: CommandSpec = {
  name: 'run',
  summary: 'train ten clients and the server classifier on one machine, then evaluate',
  usage: 'semipriv run [options]',
  flags: [
    {
      name: 'dataset',
      type: 'string',
      choices: DATASET_NAMES,
      defaultText: d.dataset,
      description: 'Dataset; each class becomes one client',
    },
    {
      name: 'data-dir',
      type: 'string',
      description: 'Folder with the official IDX files, instead of the bundled npm copy',
    },
    {
      name: 'n-ae',
      type: 'number',
      defaultText: String(d.nAe),
      description: 'Private images each client trains its BIB-AE on',
    },
    {
      name: 'n-classifier',
      type: 'number',
      defaultText: String(d.nClassifier),
      description: 'Labelled images the server sees (the leak), at least 1',
    },
    { name: 'seed', type: 'number', defaultText: String(d.seed), description: 'Run seed' },
    {
      name: 'epochs',
      type: 'number',
      defaultText: String(d.epochs),
      description: 'BIB-AE training epochs per client',
    },
    {
      name: 'classifier-epochs',
      type: 'number',
      defaultText: String(d.classifierEpochs),
      description: 'Server classifier training epochs',
    },
    {
      name: 'classifier-min-steps',
      type: 'number',
      defaultText: String(d.classifierMinSteps),
      description: 'Fewest classifier batches: more epochs on a small labelled subset',
    },
    {
      name: 'batch-size',
      type: 'number',
      defaultText: String(d.batchSize),
      description: 'BIB-AE images per training step',
    },
    {
      name: 'latent-dim',
      type: 'number',
      defaultText: String(d.latentDim),
      description: 'Size of the BIB-AE latent code',
    },
    ...SIMULATION_FLAGS,
    {
      name: 'out',
      type: 'string',
      defaultText: 'runs/<timestamp>',
      description: 'Folder for results.json',
    },
  ],
  details:
    'Prints a summary table and writes OUT/results.json. Set SEMIPRIV_STOCK_KERNELS=1 to run\n' +
    "with TensorFlow.js's stock wasm kernels instead of semipriv's.",
};

/** The settings `semipriv run` shares with `semipriv experiment`, from their flags. */
export function runSettingsFromFlags(
  flags: ParsedFlags,
): Omit<RunOptions, 'dataset' | 'nAe' | 'nClassifier' | 'seed'> {
  const dataDir = flags.dataDir === undefined ? undefined : String(flags.dataDir);
  checkDataDir(dataDir);
  return {
    dataDir,
    epochs: integerFlag(flags, 'epochs', d.epochs, 1),
    classifierEpochs: integerFlag(flags, 'classifierEpochs', d.classifierEpochs, 1),
    classifierMinSteps: integerFlag(flags, 'classifierMinSteps', d.classifierMinSteps),
    batchSize: integerFlag(flags, 'batchSize', d.batchSize, 1),
    latentDim: integerFlag(flags, 'latentDim', d.latentDim, 1),
    backend: flags.backend ? parseBackend(String(flags.backend)) : d.backend,
    workers: integerFlag(flags, 'workers', d.workers, 1),
    testLimit: integerFlag(flags, 'testLimit', d.testLimit),
    projectKernels: process.env.SEMIPRIV_STOCK_KERNELS !== '1',
  };
}

/** Turns parsed flags into run options. */
export function runOptionsFromFlags(flags: ParsedFlags): RunOptions {
  if (flags.nClassifier === 0) {
    throw new SemiprivError(
      'SP_OPTION',
      '--n-classifier: 0 trains no classifier; the zero-leakage rule, which uses no labelled ' +
        'image, is measured by every run (zeroLeakageAccuracy in results.json)',
    );
  }
  return {
    ...runSettingsFromFlags(flags),
    dataset: flags.dataset ? parseDatasetName(String(flags.dataset)) : d.dataset,
    nAe: integerFlag(flags, 'nAe', d.nAe, 1),
    nClassifier: integerFlag(flags, 'nClassifier', d.nClassifier, 1),
    seed: integerFlag(flags, 'seed', d.seed),
  };
}

/** Runs `semipriv run` and returns the folder it wrote. */
export async function runCommand(flags: ParsedFlags): Promise<string> {
  const options = runOptionsFromFlags(flags);
  const out = flags.out ? String(flags.out) : join('runs', timestamp());
  // made before the run so that an unusable --out fails at once, not after the training
  const created = await mkdir(out, { recursive: true });

  const progress = new Progress();
  let result: RunResult;
  try {
    result = await runScheme(options, {
      onPhase: (p) => progress.phase(p),
      onClientEpoch: (label, report) => progress.clientEpoch(label, report),
      onClientTrained: (label, seconds) => progress.clientDone(label, seconds),
      onClassifierEpoch: (e, n, loss) => progress.classifierEpoch(e, n, loss),
    });
  } catch (error) {
    if (created !== undefined) await removeEmptyFolders(resolve(out), created);
    throw error;
  }
  progress.finish();

  const file = join(out, 'results.json');
  await writeFile(`${file}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  process.stdout.write(`${formatRunSummary(result)}\nresults written to ${file}\n`);
  return out;
}

/** Removes `dir` and its parents up to `top` while they are empty, as a failed run left them. */
async function removeEmptyFolders(dir: string, top: string): Promise<void> {
  for (let folder = dir; folder.startsWith(top); folder = dirname(folder)) {
    // rmdir refuses a folder that holds anything, so nothing but empty folders goes
    const removed = await rmdir(folder).then(
      () => true,
      () => false,
    );
    if (!removed || folder === top) return;
  }
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
}
