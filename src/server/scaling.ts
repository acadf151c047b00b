/**
 * Scaling of the score features. Reconstruction errors and discriminator
 * scores come on different scales; statistics are fitted once on the
 * labelled subset and then applied to every later probe.
 *
 * The server classifier sees standardised columns (mean 0, standard deviation
 * 1): min–max scaling lets a few far outliers squeeze the bulk of a column
 * into a sliver of [0, 1], which the classifier's score weights then need many
 * more steps to resolve. Min–max scaling remains for the separability indices,
 * which are defined on points in [0, 1].
 */
import { SemiprivError } from '../errors.js';

/**
 * The fitted range of each feature column. A plain object, so that it is
 * saved with the server's model as JSON and read back unchanged.
 */
export interface MinMaxScaler {
  /** The smallest value seen in each column. */
  min: number[];
  /** The largest value seen in each column. */
  max: number[];
}

/**
 * Fits the range of each column of `features`.
 *
 * @param features - `n × columns` values, row-major, n ≥ 1, all finite.
 * @param columns - The number of feature columns, e.g. two per client.
 * @throws SemiprivError `SP_OPTION` when `columns` is not a positive
 *   integer, or `features` is empty, not a whole number of rows, or holds
 *   a value that is not finite.
 *
 * @example
 * // Rows (1, 30) and (3, 10): column 0 spans [1, 3], column 1 [10, 30].
 * const scaler = fitMinMax(Float32Array.of(1, 30, 3, 10), 2);
 * // scaler = { min: [1, 10], max: [3, 30] }
 * applyMinMax(scaler, Float32Array.of(2, 40)); // Float32Array [0.5, 1]
 */
export function fitMinMax(features: Float32Array, columns: number): MinMaxScaler {
  checkFitted('fitMinMax', features, columns);

  const min = new Array<number>(columns).fill(Infinity);
  const max = new Array<number>(columns).fill(-Infinity);
  for (let i = 0; i < features.length; i++) {
    const c = i % columns;
    min[c] = Math.min(min[c], features[i]);
    max[c] = Math.max(max[c], features[i]);
  }
  return { min, max };
}

/**
 * Maps each column of `features` to [0, 1] with the fitted range. Values
 * outside the range are clipped to its ends; a column that was constant
 * when fitted maps to 0.
 *
 * @param features - `n × columns` values, row-major, with as many columns
 *   as were fitted.
 * @returns A new array of the same shape.
 * @throws SemiprivError `SP_OPTION` when the scaler's `min` and `max`
 *   differ in length, or `features` is not a whole number of rows or holds
 *   a value that is not finite.
 */
export function applyMinMax(scaler: MinMaxScaler, features: Float32Array): Float32Array {
  const { min, max } = scaler;
  const columns = min.length;
  if (max.length !== columns || columns === 0) {
    const got = `${min.length} min and ${max.length} max`;
    throw invalid(`applyMinMax: expected a min and max per column, received ${got}`);
  }
  checkFeatures('applyMinMax', features, columns);

  return mapColumns(features, columns, (v, c) => {
    const range = max[c] - min[c];
    return range === 0 ? 0 : Math.min(1, Math.max(0, (v - min[c]) / range));
  });
}

/** The fitted mean and standard deviation of each feature column, saved with the server model. */
export interface StandardScaler {
  mean: number[];
  std: number[];
}

/**
 * How far from the mean, in standard deviations, a scaled value may lie: a probe unlike any
 * labelled image (a blank or noise image, say) must not drive the classifier with one huge input.
 */
export const STANDARD_LIMIT = 8;

/**
 * Fits the mean and (population) standard deviation of each column of `features`.
 *
 * @param features - `n × columns` values, row-major, n ≥ 1, all finite.
 * @param columns - The number of feature columns, e.g. two per client.
 * @throws SemiprivError `SP_OPTION` on the same inputs as {@link fitMinMax}.
 *
 * @example
 * // Rows (1, 10) and (3, 30): column 0 has mean 2 and std 1, column 1 mean 20 and std 10.
 * const scaler = fitStandard(Float32Array.of(1, 10, 3, 30), 2);
 * applyStandard(scaler, Float32Array.of(4, 20)); // Float32Array [2, 0]
 */
export function fitStandard(features: Float32Array, columns: number): StandardScaler {
  checkFitted('fitStandard', features, columns);

  const rows = features.length / columns;
  const mean = new Array<number>(columns).fill(0);
  for (let i = 0; i < features.length; i++) mean[i % columns] += features[i] / rows;
  const variance = new Array<number>(columns).fill(0);
  for (let i = 0; i < features.length; i++) {
    variance[i % columns] += (features[i] - mean[i % columns]) ** 2 / rows;
  }
  return { mean, std: variance.map(Math.sqrt) };
}

/**
 * Standardises each column of `features` with the fitted statistics, clipping to
 * ±{@link STANDARD_LIMIT}; a column that was constant when fitted maps to 0.
 *
 * @throws SemiprivError `SP_OPTION` when `mean` and `std` differ in length, or `features` is
 *   not a whole number of rows or holds a value that is not finite.
 */
export function applyStandard(scaler: StandardScaler, features: Float32Array): Float32Array {
  const { mean, std } = scaler;
  const columns = mean.length;
  if (std.length !== columns || columns === 0) {
    const got = `${mean.length} means and ${std.length} deviations`;
    throw invalid(`applyStandard: expected a mean and deviation per column, received ${got}`);
  }
  checkFeatures('applyStandard', features, columns);

  return mapColumns(features, columns, (v, c) => {
    if (std[c] === 0) return 0;
    return Math.min(STANDARD_LIMIT, Math.max(-STANDARD_LIMIT, (v - mean[c]) / std[c]));
  });
}

/** A new array with `f(value, column)` in place of every value of the row-major `features`. */
function mapColumns(
  features: Float32Array,
  columns: number,
  f: (value: number, column: number) => number,
): Float32Array {
  const out = new Float32Array(features.length);
  for (let i = 0; i < features.length; i++) out[i] = f(features[i], i % columns);
  return out;
}

/** What both fits ask of their input: whole rows, at least one, all finite. */
function checkFitted(what: string, features: Float32Array, columns: number): void {
  if (!Number.isInteger(columns) || columns < 1) {
    const expected = 'a positive integer number of columns';
    throw invalid(`${what}: expected ${expected}, received ${columns}`);
  }
  checkFeatures(what, features, columns);
  if (features.length === 0) {
    throw invalid(`${what}: expected at least one row, received none`);
  }
}

function checkFeatures(what: string, features: Float32Array, columns: number): void {
  if (features.length % columns !== 0) {
    const got = `${features.length} values`;
    throw invalid(`${what}: expected rows of ${columns} features, received ${got}`);
  }
  const bad = features.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const row = Math.floor(bad / columns);
    const got = `${features[bad]} at row ${row}, column ${bad % columns}`;
    throw invalid(`${what}: expected finite features, received ${got}`);
  }
}

function invalid(message: string): SemiprivError {
  return new SemiprivError('SP_OPTION', message);
}
