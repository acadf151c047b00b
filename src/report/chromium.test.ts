import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../experiment/experiment.js';
import { DEFAULT_EXPERIMENT_OPTIONS } from '../experiment/grid.js';
import { SyntheticSteps } from '../experiment/synthetic.js';
import { buildReport } from './build.js';

const CHROMIUM = '/usr/bin/chromium';
const run = promisify(execFile);

let page: string;
let work: string;

/** Headless Chromium with nothing that reaches the network, on a fresh profile. */
async function chromium(...args: string[]): Promise<string> {
  const profile = await mkdtemp(join(work, 'profile-'));
  try {
    const { stdout } = await run(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        ...args,
        page,
      ],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the report test renders report.html in headless Chromium. ` +
        'Install it with scripts/install-chromium.sh.',
    );
  }
  work = await mkdtemp(join(tmpdir(), 'semipriv-chromium-'));
  const out = join(work, 'experiment');
  const options = { ...DEFAULT_EXPERIMENT_OPTIONS, nAe: [100], nClassifier: [1000], out };
  await runExperiment({ ...options, seeds: [0, 1] }, new SyntheticSteps({ testCount: 300 }));
  const { files } = await buildReport(out);
  page = pathToFileURL(files.html).href;
});

describe('report.html in headless Chromium', () => {
  it('lays out every figure with a non-zero size', async () => {
    const dom = await chromium('--dump-dom');
    // set by the page's own check once loaded: drawn figures / all figures
    expect(dom).toMatch(/<body[^>]* data-figures="6\/6"/);
    expect(dom.match(/data-rendered="yes"/g)).toHaveLength(6);
    expect(dom).not.toContain('data-rendered="no"');
  });

  it('paints a page that is not blank', async () => {
    const shot = join(work, 'report.png');
    await chromium('--window-size=1200,2400', '--hide-scrollbars', `--screenshot=${shot}`);
    const { width, height } = await sharp(shot).metadata();
    expect([width, height]).toEqual([1200, 2400]);
    // a white page has no spread; text, tables and charts do
    const { channels } = await sharp(shot).stats();
    expect(channels[0].stdev).toBeGreaterThan(20);
  });
});
