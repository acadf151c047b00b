/**
 * The report's charts as Vega-Lite specifications: accuracy against leakage,
 * each client's scores of inliers and outliers, and the confusion matrix. Only
 * data and encodings live here; {@link renderChart} draws them.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { DatasetName } from '../data/types.js';
import type { CellSummary } from './aggregate.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const INLIER_COLOUR = '#1f77b4';
const OUTLIER_COLOUR = '#ff7f0e';

/** The methods drawn on the accuracy chart, in legend order. */
export const ACCURACY_METHODS = [
  'scheme',
  'images only',
  'scores only',
  'zero leakage',
  'paper (scheme)',
] as const;

/**
 * Test accuracy (percent) against leakage (percent) for one dataset, one panel
 * per N_AE: the scheme and both baselines with ±1 standard deviation bars, the
 * classifier-free rule at L = 0, and the paper's points.
 *
 * @example
 * const spec = accuracyChart('mnist', summarise(cells));
 * const { svg } = await renderChart(spec);
 */
export function accuracyChart(dataset: DatasetName, rows: readonly CellSummary[]): TopLevelSpec {
  const values: Record<string, string | number>[] = [];
  const point = (row: CellSummary, method: string, leakage: number, mean: number, std = 0) =>
    values.push({
      panel: `N_AE = ${row.nAe}`,
      method,
      leakage: 100 * leakage,
      accuracy: 100 * mean,
      low: 100 * (mean - std),
      high: 100 * (mean + std),
    });

  const mine = rows.filter((r) => r.dataset === dataset);
  const zeroDrawn = new Set<number>();
  for (const row of mine) {
    point(row, 'scheme', row.leakage, row.scheme.mean, row.scheme.std);
    point(row, 'images only', row.leakage, row.images.mean, row.images.std);
    point(row, 'scores only', row.leakage, row.scores.mean, row.scores.std);
    if (row.paper !== undefined) point(row, 'paper (scheme)', row.leakage, row.paper / 100);
    // the rule needs no labelled image: one point per panel, at L = 0
    if (!zeroDrawn.has(row.nAe)) {
      zeroDrawn.add(row.nAe);
      point(row, 'zero leakage', 0, row.zeroLeakage.mean, row.zeroLeakage.std);
    }
  }

  // padding keeps the points at L = 0 and at the extremes off the axes
  const x = {
    field: 'leakage',
    type: 'quantitative',
    title: 'leakage L (%)',
    scale: { padding: 12, nice: false },
  } as const;
  const y = {
    field: 'accuracy',
    type: 'quantitative',
    title: 'test accuracy (%)',
    // no rounding out to the next ten, which drew MNIST's axis up to 110 %
    scale: { zero: false, padding: 8, nice: false },
  } as const;
  // the legend lists the paper only where it has a number to show
  const methods = ACCURACY_METHODS.filter((m) => values.some((v) => v.method === m));
  const color = {
    field: 'method',
    type: 'nominal',
    title: null,
    scale: { domain: methods },
  } as const;
  // the same field and title as the colour, so that one legend shows both
  const shape = {
    field: 'method',
    type: 'nominal',
    title: null,
    scale: {
      domain: methods,
      range: methods.map((m) => (m === 'paper (scheme)' ? 'diamond' : 'circle')),
    },
  } as const;
  const ours = { filter: "datum.method !== 'paper (scheme)'" };
  return {
    $schema: SCHEMA,
    data: { values },
    facet: { column: { field: 'panel', type: 'nominal', title: null } },
    spec: {
      width: 340,
      height: 260,
      layer: [
        {
          transform: [{ filter: "datum.method !== 'paper (scheme)' && datum.leakage > 0" }],
          mark: { type: 'line', point: true },
          encoding: { x, y, color },
        },
        {
          transform: [ours],
          mark: { type: 'errorbar', ticks: true },
          encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color },
        },
        {
          transform: [{ filter: "datum.method === 'zero leakage'" }],
          mark: { type: 'point', filled: true, size: 60 },
          encoding: { x, y, color, shape },
        },
        {
          transform: [{ filter: "datum.method === 'paper (scheme)'" }],
          mark: { type: 'point', filled: true, size: 90 },
          encoding: { x, y, color, shape },
        },
      ],
    },
  };
}

/** One probe's two scores as seen by one client. */
export interface ScatterPoint {
  /** The client's class name. */
  client: string;
  inlier: boolean;
  reconstructionError: number;
  discriminatorScore: number;
}

/**
 * Each client's (reconstruction error, discriminator score) of inlier and
 * outlier test probes, one panel per client, errors on a log scale.
 */
export function scatterChart(points: readonly ScatterPoint[], clients: string[]): TopLevelSpec {
  const values = points.map((p) => ({
    client: p.client,
    probe: p.inlier ? 'inlier' : 'outlier',
    // a log axis needs a positive value; a perfect reconstruction is drawn at
    // 1e-8
    error: Math.max(p.reconstructionError, 1e-8),
    disc: p.discriminatorScore,
  }));
  return {
    $schema: SCHEMA,
    data: { values },
    facet: {
      field: 'client',
      type: 'nominal',
      title: null,
      sort: clients,
      header: { labelFontSize: 12 },
    },
    columns: 5,
    spec: {
      width: 150,
      height: 130,
      // fill opacity, not opacity: librsvg composites each element with an
      // opacity on its own, which takes seconds for thousands of points; no
      // ARIA labels, which would triple the SVG
      mark: { type: 'circle', size: 8, opacity: 1, fillOpacity: 0.55, aria: false },
      encoding: {
        x: {
          field: 'error',
          type: 'quantitative',
          title: 'reconstruction error',
          // no rounding out to whole decades, which squeezes a narrow spread
          // into a dot; padding keeps the outermost points inside the frame
          scale: { type: 'log', nice: false, padding: 4 },
          // a log axis grids every minor step; labels at the decades are enough
          axis: { format: '.2~g', tickCount: 3, grid: false, labelOverlap: true },
        },
        y: {
          field: 'disc',
          type: 'quantitative',
          title: 'discriminator score',
          scale: { zero: false, padding: 4 },
        },
        color: {
          field: 'probe',
          type: 'nominal',
          title: null,
          scale: { domain: ['inlier', 'outlier'], range: [INLIER_COLOUR, OUTLIER_COLOUR] },
        },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
}

/** A heat map of `matrix[actual][predicted]` with the count in each cell. */
export function confusionChart(matrix: readonly number[][], classes: string[]): TopLevelSpec {
  const values = matrix.flatMap((row, actual) =>
    row.map((count, predicted) => ({
      actual: classes[actual],
      predicted: classes[predicted],
      count,
      // the share of the actual class, so colours compare across classes
      share:
        count /
        Math.max(
          1,
          row.reduce((s, v) => s + v, 0),
        ),
    })),
  );
  const axis = (field: string, title: string, labelAngle: number) =>
    ({ field, type: 'ordinal', title, sort: classes, axis: { labelAngle } }) as const;
  return {
    $schema: SCHEMA,
    data: { values },
    width: 360,
    height: 360,
    encoding: {
      x: axis('predicted', 'predicted class', -40),
      y: axis('actual', 'actual class', 0),
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'share',
            type: 'quantitative',
            title: 'share of row',
            scale: { scheme: 'blues', domain: [0, 1] },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}
