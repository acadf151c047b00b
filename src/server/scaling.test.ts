import { describe, expect, it } from 'vitest';
import { SemiprivError } from '../errors.js';
import {
  applyMinMax,
  applyStandard,
  fitMinMax,
  fitStandard,
  STANDARD_LIMIT,
  type MinMaxScaler,
} from './scaling.js';

const rows = (...values: number[]): Float32Array => Float32Array.from(values);

describe('fitMinMax', () => {
  it('finds the smallest and largest value of each column', () => {
    // Rows (1, 30), (3, 10), (2, 20): column 0 spans [1, 3], 1 [10, 30].
    const scaler = fitMinMax(rows(1, 30, 3, 10, 2, 20), 2);
    expect(scaler).toEqual({ min: [1, 10], max: [3, 30] });
  });

  it('gives a plain object that survives a JSON round trip', () => {
    const scaler = fitMinMax(rows(-0.5, 4, 0.25, 8), 2);
    const restored = JSON.parse(JSON.stringify(scaler)) as MinMaxScaler;
    expect(restored).toEqual(scaler);
    const probe = rows(0, 6);
    expect(applyMinMax(restored, probe)).toEqual(applyMinMax(scaler, probe));
  });

  it('rejects bad column counts, ragged or empty features, and NaN', () => {
    expect(() => fitMinMax(rows(1, 2), 0)).toThrow(/received 0/);
    expect(() => fitMinMax(rows(1, 2), 1.5)).toThrow(SemiprivError);
    expect(() => fitMinMax(rows(1, 2, 3), 2)).toThrow(/received 3 values/);
    expect(() => fitMinMax(rows(), 2)).toThrow(/at least one row/);
    const nan = rows(1, 2, Number.NaN, 4);
    expect(() => fitMinMax(nan, 2)).toThrow(/NaN at row 1, column 0/);
  });
});

describe('applyMinMax', () => {
  const scaler = { min: [1, 10], max: [3, 30] };

  it('maps each column to [0, 1] by its own range', () => {
    // (2 − 1)/(3 − 1) = 0.5, (15 − 10)/(30 − 10) = 0.25; ends map to 0, 1.
    const scaled = applyMinMax(scaler, rows(2, 15, 1, 30));
    expect(Array.from(scaled)).toEqual([0.5, 0.25, 0, 1]);
  });

  it('clips values below the range to 0 and above it to 1', () => {
    const scaled = applyMinMax(scaler, rows(-5, 31, 4, 0));
    expect(Array.from(scaled)).toEqual([0, 1, 1, 0]);
  });

  it('maps a column that was constant when fitted to 0', () => {
    // Column 0 is 7 throughout; column 1 spans [1, 3].
    const constant = fitMinMax(rows(7, 1, 7, 3), 2);
    const scaled = applyMinMax(constant, rows(7, 2, 100, 3));
    expect(Array.from(scaled)).toEqual([0, 0.5, 0, 1]);
  });

  it('returns a new array and leaves the input untouched', () => {
    const features = rows(2, 20);
    const scaled = applyMinMax(scaler, features);
    expect(scaled).not.toBe(features);
    expect(Array.from(features)).toEqual([2, 20]);
  });

  it('rejects a malformed scaler and features of the wrong width', () => {
    const lopsided = { min: [0, 0], max: [1] };
    expect(() => applyMinMax(lopsided, rows(0, 0))).toThrow(/2 min and 1 max/);
    expect(() => applyMinMax(scaler, rows(1, 2, 3))).toThrow(SemiprivError);
    expect(() => applyMinMax(scaler, rows(1, Infinity))).toThrow(/Infinity/);
  });
});

describe('fitStandard', () => {
  it('finds the mean and population standard deviation of each column', () => {
    // column 0: 1, 3 → mean 2, std 1; column 1: 10, 30 → mean 20, std 10
    expect(fitStandard(rows(1, 10, 3, 30), 2)).toEqual({ mean: [2, 20], std: [1, 10] });
  });

  it('rejects what fitMinMax rejects', () => {
    expect(() => fitStandard(rows(), 2)).toThrow(/at least one row/);
    expect(() => fitStandard(rows(1, Number.NaN), 2)).toThrow(/NaN at row 0, column 1/);
  });
});

describe('applyStandard', () => {
  const scaler = { mean: [2, 20], std: [1, 10] };

  it('centres and scales each column by its own statistics', () => {
    // (4 − 2)/1 = 2, (15 − 20)/10 = −0.5
    expect(Array.from(applyStandard(scaler, rows(4, 15, 2, 20)))).toEqual([2, -0.5, 0, 0]);
  });

  it('clips far outliers and maps a constant column to 0', () => {
    const scaled = applyStandard(scaler, rows(1000, -1000));
    expect(Array.from(scaled)).toEqual([STANDARD_LIMIT, -STANDARD_LIMIT]);
    const constant = fitStandard(rows(7, 1, 7, 3), 2);
    expect(Array.from(applyStandard(constant, rows(100, 2)))).toEqual([0, 0]);
  });

  it('rejects a malformed scaler and features of the wrong width', () => {
    const lopsided = { mean: [0, 0], std: [1] };
    expect(() => applyStandard(lopsided, rows(0, 0))).toThrow(/2 means and 1 deviations/);
    expect(() => applyStandard(scaler, rows(1, 2, 3))).toThrow(SemiprivError);
  });
});
