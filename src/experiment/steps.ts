/**
 * The two kinds of work an experiment is made of, as an interface: training and
 * scoring a client set, and evaluating one cell from saved scores. The
 * simulation implements them with worker threads; tests put in fakes to check
 * the bookkeeping around them.
 */
import type { DatasetName } from '../data/types.js';
import type { BackendName } from '../engine/backend.js';
import { SemiprivError } from '../errors.js';
import type { Scores } from '../model/bibae.js';
import type { EpochReport } from '../model/train.js';
import type { FinishedClients } from './finished-clients.js';
import type { CellSpec, ClientSetSpec } from './grid.js';
import type { CellRecord, ClientSetRecord } from './records.js';

/** Progress callbacks of one step. */
export interface StepEvents {
  /** The client set's clients are trained and its probes are being scored. */
  onScoring?(): void;
  onClientEpoch?(label: number, report: EpochReport): void;
  onClientTrained?(label: number, seconds: number): void;
  /** Clients an earlier, stopped run finished: they are read back instead of trained. */
  onClientsReused?(labels: number[]): void;
  /** A classifier variant (scheme or a baseline) starts training. */
  onVariant?(variant: ClassifierVariant): void;
  onClassifierEpoch?(epoch: number, epochs: number, loss: number): void;
  /** The share of the step's training done so far, 0 to 1. */
  onProgress?(fraction: number): void;
}

/** The three classifiers fitted per cell. */
export const CLASSIFIER_VARIANTS = ['scheme', 'images', 'scores'] as const;

/** One of {@link CLASSIFIER_VARIANTS}. */
export type ClassifierVariant = (typeof CLASSIFIER_VARIANTS)[number];

/** A client set's manifest before its scores are saved. */
export type ClientSetManifest = Omit<ClientSetRecord, 'scoresFile' | 'scoresSha256'>;

/** A client set's saved facts with every client's scores of every probe. */
export interface ScoredClientSet {
  record: ClientSetRecord;
  /** In label order; probes are `record.labelledIndices`, then the test images. */
  scores: Scores[];
}

/** The work of an experiment. */
export interface ExperimentSteps {
  /** The backend the work runs on. */
  readonly backend: BackendName;
  /**
   * Trains the ten clients of `spec` and scores every probe its cells need, keeping each
   * client in `finished` as it completes and reusing those an earlier run kept there.
   */
  scoreClientSet(
    spec: ClientSetSpec,
    events: StepEvents,
    finished: FinishedClients,
  ): Promise<{ manifest: ClientSetManifest; scores: Scores[] }>;
  /** Refuses, before any work starts, a client set or cell its dataset cannot supply. */
  checkClientSet?(spec: ClientSetSpec): Promise<void>;
  /**
   * SHA-256 of a dataset's images and labels as read, hex, so that a folder resumes only on
   * the data its results were made with, wherever the files now lie.
   */
  dataFingerprint?(dataset: DatasetName): Promise<string>;
  /** Fits and evaluates the scheme and both baselines of one cell. */
  evaluateCell(cell: CellSpec, set: ScoredClientSet, events: StepEvents): Promise<CellRecord>;
  /** Releases worker threads and models. */
  close(): Promise<void>;
}

/**
 * Every client's scores of the probes at `positions`, in that order.
 *
 * @example
 * pickScores(all, [4, 0]); // probe 4's scores, then probe 0's, for every client
 */
export function pickScores(all: readonly Scores[], positions: readonly number[]): Scores[] {
  const pick = (column: Float32Array): Float32Array =>
    Float32Array.from(positions, (p) => {
      if (p < 0 || p >= column.length) {
        throw new SemiprivError(
          'SP_INTERNAL',
          `pickScores: probe ${p} is outside the ${column.length} scored probes`,
        );
      }
      return column[p];
    });
  return all.map((s) => ({
    reconstructionError: pick(s.reconstructionError),
    discriminatorScore: pick(s.discriminatorScore),
  }));
}

/** The positions of `indices` within the ascending list `scored`. */
export function positionsIn(scored: readonly number[], indices: readonly number[]): number[] {
  const position = new Map(scored.map((index, p) => [index, p]));
  return indices.map((index) => {
    const p = position.get(index);
    if (p === undefined) {
      throw new SemiprivError(
        'SP_RESULTS_INVALID',
        `training image ${index} is in the labelled subset but was never scored`,
      );
    }
    return p;
  });
}

/** The distinct indices of every list, ascending. */
export function unionIndices(lists: readonly (readonly number[])[]): number[] {
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}
