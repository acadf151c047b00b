/**
 * `semipriv experiment`: the paper's grid of runs, resumable, ending in a
 * report.
 */
import { writesSettled } from '../data/idx.js';
import { DATASET_NAMES, parseDatasetName } from '../data/load.js';
import type { DatasetName } from '../data/types.js';
import { SemiprivError } from '../errors.js';
import { formatDuration } from '../experiment/eta.js';
import {
  runExperiment,
  type ExperimentEvents,
  type ExperimentOutcome,
  type ExperimentStatus,
} from '../experiment/experiment.js';
import { DEFAULT_EXPERIMENT_OPTIONS, type ExperimentOptions } from '../experiment/grid.js';
import { createSimulationSteps } from '../experiment/simulation-steps.js';
import { ExperimentStore } from '../experiment/store.js';
import { buildReport } from '../report/build.js';
import { counted, incompleteSentence } from '../report/document.js';
import { formatExperimentSummary } from '../report/summary.js';
import { numberList, type CommandSpec, type FlagSpec, type ParsedFlags } from './options.js';
import { Progress } from './progress.js';
import { runSettingsFromFlags, SIMULATION_FLAGS } from './run-command.js';

const d = DEFAULT_EXPERIMENT_OPTIONS;

const list = (name: string, values: readonly number[], description: string): FlagSpec => ({
  name,
  type: 'list',
  defaultText: values.join(','),
  description,
});
const number = (name: string, value: number, description: string): FlagSpec => ({
  name,
  type: 'number',
  defaultText: String(value),
  description,
});

/** Flags of `semipriv experiment`. */
export const EXPERIMENT_SPEC: CommandSpec = {
  name: 'experiment',
  summary: 'run the grid of datasets, N_AE, N_classifier and seeds, then write a report',
  usage: 'semipriv experiment --out DIR [options]',
  flags: [
    {
      name: 'dataset',
      type: 'list',
      choices: [...DATASET_NAMES, 'all'],
      defaultText: 'all',
      description: 'Datasets to run',
    },
    {
      name: 'data-dir',
      type: 'string',
      description:
        'Folder with the official IDX files of the one --dataset, instead of the npm copy',
    },
    list('n-ae', d.nAe, 'Private images each client trains on; one client set per value'),
    list('n-classifier', d.nClassifier, 'Labelled subset sizes, all served by one client set'),
    list('seeds', d.seeds, 'Run seeds; accuracy is reported as mean ± std over them'),
    number('epochs', d.epochs, 'BIB-AE training epochs per client'),
    number('classifier-epochs', d.classifierEpochs, 'Server classifier training epochs'),
    number(
      'classifier-min-steps',
      d.classifierMinSteps,
      'Fewest classifier batches: more epochs on a small labelled subset',
    ),
    number('batch-size', d.batchSize, 'BIB-AE images per training step'),
    number('latent-dim', d.latentDim, 'Size of the BIB-AE latent code'),
    ...SIMULATION_FLAGS,
    { name: 'out', type: 'string', description: 'Folder for results and report (required)' },
    {
      name: 'fresh',
      type: 'boolean',
      description: 'Delete the results saved in --out and start over instead of resuming',
    },
  ],
  details:
    'Each (dataset, N_AE, seed) trains ten clients once and scores the labelled images of\n' +
    'every N_classifier and the test set; each N_classifier then fits the scheme and the\n' +
    'images-only and scores-only baselines. Results are saved as they finish, so running the\n' +
    'same command again resumes. Writes OUT/report.html, OUT/report.md and OUT/results.json.',
};

/** Turns parsed flags into experiment options. */
export function experimentOptionsFromFlags(flags: ParsedFlags): ExperimentOptions {
  if (typeof flags.out !== 'string' || flags.out === '') {
    throw new SemiprivError('SP_OPTION', 'semipriv experiment: --out DIR is required');
  }
  const sizes = flags.nClassifier;
  if (Array.isArray(sizes) && sizes.some((s) => s !== '' && Number(s) === 0)) {
    throw new SemiprivError(
      'SP_OPTION',
      '--n-classifier: 0 is no cell of its own; the zero-leakage rule, which uses no labelled ' +
        'image, is reported beside every cell',
    );
  }
  const dataset = datasets(flags.dataset);
  if (dataset.length > 1 && flags.dataDir !== undefined) {
    throw new SemiprivError(
      'SP_OPTION',
      `--data-dir: expected one dataset, received ${dataset.join(' and ')}; one folder of IDX ` +
        'files holds one dataset',
      { hint: 'Run each dataset with its own --data-dir, into the same --out folder.' },
    );
  }
  return {
    ...runSettingsFromFlags(flags),
    dataset,
    nAe: numberList(flags, 'nAe', d.nAe, 1),
    nClassifier: numberList(flags, 'nClassifier', d.nClassifier, 1),
    seeds: numberList(flags, 'seeds', d.seeds, 0),
    out: flags.out,
    fresh: flags.fresh === true,
  };
}

/** Runs `semipriv experiment`, then builds its report; returns what the run did. */
export async function experimentCommand(flags: ParsedFlags): Promise<ExperimentOutcome> {
  const options = experimentOptionsFromFlags(flags);
  const steps = await createSimulationSteps(options);
  const progress = new Progress();
  const stop = (signal: NodeJS.Signals): void => {
    // a second signal finds no handler and ends the process at once
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    progress.finish();
    void (async () => {
      await writesSettled();
      const store = new ExperimentStore(options.out);
      await store.unlock();
      const cells = await store.listCells().catch(() => []);
      process.stderr.write(
        `stopped on ${signal}: ${counted(cells.length, 'cell')} and every client that ` +
          `finished training are saved in ${options.out}; the same command resumes from them\n`,
      );
      process.exit(signal === 'SIGINT' ? 130 : 143);
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const outcome = await runExperiment(options, steps, progressEvents(progress)).finally(() => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });
  progress.finish();

  const { results, files } = await buildReport(options.out);
  const incomplete = incompleteSentence(results.missing);
  const sets = `client sets: ${outcome.clientSetsTrained} trained, ${outcome.clientSetsLoaded} read back`;
  process.stdout.write(
    `${formatExperimentSummary(results)}\n` +
      `${counted(outcome.cellsRun, 'cell')} run, ${outcome.cellsSkipped} resumed from ` +
      `${options.out} (${sets}), in ${formatDuration(outcome.seconds)}\n` +
      (incomplete
        ? `incomplete: ${incomplete} Earlier runs in this folder asked for them.\n`
        : '') +
      `report written to ${files.html} and ${files.markdown}\n`,
  );
  return outcome;
}

/**
 * The run's events drawn on `progress`: the client bars, and a status line
 * naming the client set or cell, the step, the cell count and the estimated
 * time left.
 */
export function progressEvents(
  progress: Progress,
  tty = process.stderr.isTTY === true,
): ExperimentEvents {
  let status: ExperimentStatus | null = null;
  const line = (): string => {
    if (!status) return '';
    const eta = timeLeft(status);
    const cell = `cell ${Math.min(status.cellsDone + 1, status.cellsTotal)}/${status.cellsTotal}`;
    return `${status.where}: ${status.step} · ${cell} · ${eta}`;
  };
  return {
    onStatus: (s) => {
      status = s;
      progress.phase(line());
    },
    onClientEpoch: (label, report) => {
      progress.clientEpoch(label, report);
      if (tty) progress.phase(line());
    },
    onClientTrained: (label, seconds) => {
      progress.clientDone(label, seconds);
      if (!tty) progress.phase(line());
    },
    onClassifierEpoch: (epoch, epochs, loss) => {
      // off a terminal, a line per fifth of the epochs keeps logs short
      const fifth = Math.max(1, Math.round(epochs / 5));
      if (tty || epoch % fifth === 0 || epoch === epochs) {
        progress.phase(`${line()} · epoch ${epoch}/${epochs}, loss ${loss.toFixed(4)}`);
      }
    },
  };
}

function datasets(value: ParsedFlags[string]): DatasetName[] {
  const names = Array.isArray(value) ? value : ['all'];
  if (names.includes('all')) return [...DATASET_NAMES];
  return names.map(parseDatasetName);
}

/** The status line's time left: an estimate, a lower bound, or nothing yet. */
function timeLeft(status: ExperimentStatus): string {
  const left = status.secondsLeft();
  if (left !== null) return `about ${formatDuration(left)} left`;
  const atLeast = status.secondsAtLeast();
  if (atLeast >= 1) return `over ${formatDuration(atLeast)} left (cells not timed yet)`;
  return 'time left: estimating';
}
