/**
 * The experiment grid: datasets × N_AE × seeds give the client sets (ten
 * clients trained once), and each client set serves every N_classifier, which
 * gives the cells.
 */
import type { DatasetName } from '../data/types.js';
import { DATASET_NAMES } from '../data/load.js';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../simulation/run.js';

/**
 * Options of {@link runExperiment}; each maps to a `semipriv experiment` flag. The settings of
 * each run are those of `semipriv run`; the grid's axes become lists.
 */
export interface ExperimentOptions extends Omit<
  RunOptions,
  'dataset' | 'nAe' | 'nClassifier' | 'seed'
> {
  /** Datasets to run, in this order. */
  dataset: DatasetName[];
  /** Images each client trains its BIB-AE on, one client set per value. */
  nAe: number[];
  /** Sizes of the server's labelled subset, one cell per value. */
  nClassifier: number[];
  /** Run seeds; every cell is repeated once per seed. */
  seeds: number[];
  /** Folder for every saved result and the report. */
  out: string;
  /** Delete the saved results in `out` first instead of resuming. */
  fresh: boolean;
}

/** Defaults of `semipriv experiment`: the paper's grid with three seeds. */
export const DEFAULT_EXPERIMENT_OPTIONS: ExperimentOptions = {
  ...DEFAULT_RUN_OPTIONS,
  dataset: [...DATASET_NAMES],
  nAe: [100, 1000],
  nClassifier: [1000, 3000, 6000],
  seeds: [0, 1, 2],
  out: 'experiment',
  fresh: false,
};

/** Ten clients trained once: one dataset, one N_AE, one seed. */
export interface ClientSetSpec {
  readonly key: string;
  readonly dataset: DatasetName;
  readonly nAe: number;
  readonly seed: number;
  /** The cells this client set serves, N_classifier ascending. */
  readonly cells: readonly CellSpec[];
}

/** One evaluated point of the grid. */
export interface CellSpec {
  readonly key: string;
  readonly dataset: DatasetName;
  readonly nAe: number;
  readonly nClassifier: number;
  readonly seed: number;
}

/** The file-name key of a client set, e.g. `mnist-nae100-seed0`. */
export function clientSetKey(dataset: DatasetName, nAe: number, seed: number): string {
  return `${dataset}-nae${nAe}-seed${seed}`;
}

/** The file-name key of a cell, e.g. `mnist-nae100-seed0-ncl1000`. */
export function cellKey(cell: Omit<CellSpec, 'key'>): string {
  return `${clientSetKey(cell.dataset, cell.nAe, cell.seed)}-ncl${cell.nClassifier}`;
}

/** What a grid spans. */
export type Grid = Pick<ExperimentOptions, 'dataset' | 'nAe' | 'nClassifier' | 'seeds'>;

/**
 * The client sets of a grid in run order: dataset, then N_AE, then seed, so
 * that every seed of a (dataset, N_AE) pair finishes before the next pair
 * starts.
 *
 * @example
 * planGrid({ dataset: ['mnist'], nAe: [100], nClassifier: [1000, 3000], seeds: [0, 1] });
 * // two client sets with two cells each
 */
export function planGrid(grid: Grid): ClientSetSpec[] {
  const sorted = normaliseGrid(grid);
  return sorted.dataset.flatMap((dataset) =>
    sorted.nAe.flatMap((nAe) =>
      sorted.seeds.map((seed) => ({
        key: clientSetKey(dataset, nAe, seed),
        dataset,
        nAe,
        seed,
        cells: sorted.nClassifier.map((nClassifier) => {
          const cell = { dataset, nAe, nClassifier, seed };
          return { ...cell, key: cellKey(cell) };
        }),
      })),
    ),
  );
}

/** The grid with duplicates removed, numbers ascending and datasets in catalogue order. */
export function normaliseGrid(grid: Grid): Grid {
  const numbers = (values: readonly number[]): number[] =>
    [...new Set(values)].sort((a, b) => a - b);
  return {
    dataset: DATASET_NAMES.filter((d) => grid.dataset.includes(d)),
    nAe: numbers(grid.nAe),
    nClassifier: numbers(grid.nClassifier),
    seeds: numbers(grid.seeds),
  };
}

/** Every value of each axis of both grids. */
export function mergeGrids(a: Grid, b: Grid): Grid {
  return normaliseGrid({
    dataset: [...a.dataset, ...b.dataset],
    nAe: [...a.nAe, ...b.nAe],
    nClassifier: [...a.nClassifier, ...b.nClassifier],
    seeds: [...a.seeds, ...b.seeds],
  });
}

/**
 * The keys of every cell that the grids asked for, each once, in run order.
 *
 * @example
 * plannedCells([{ dataset: ['mnist'], nAe: [100], nClassifier: [1000], seeds: [0] }]);
 * // ['mnist-nae100-seed0-ncl1000']
 */
export function plannedCells(grids: readonly Grid[]): string[] {
  const keys = grids.flatMap((grid) => planGrid(grid).flatMap((s) => s.cells.map((c) => c.key)));
  return [...new Set(keys)];
}
