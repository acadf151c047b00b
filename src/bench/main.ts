/**
 * `npm run bench`: images per second of the BIB-AE's training, of a client
 * scoring probes, of the server classifier's training and of classification
 * end to end, on real MNIST images with the default architectures and batch
 * sizes, on the wasm backend with semipriv's kernels and with the stock ones,
 * one thread per wasm instance and then two workers at once. Where the system
 * Python has torch, bench/reference.py times the same networks in PyTorch and
 * the table shows the ratios. Writes bench/results.json.
 *
 *     npm run bench [-- --reps 5] [--quick] [--skip-pytorch] [--out FILE]
 *                      [--python /usr/bin/python3]
 *
 * Every figure is the median of `--reps` repetitions after one warm-up.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { loadDataset } from '../data/load.js';
import { mnistPackageDataDir } from '../data/mnist.js';
import { initBackend } from '../engine/backend.js';
import type { ClassifierData } from '../model/classifier.js';
import { SemiprivError } from '../errors.js';
import { DEFAULT_RUN_OPTIONS } from '../simulation/run.js';
import { timeSets, type Measurement } from './measure.js';
import { BenchWorkers } from './parallel.js';
import { profileStep, type StepProfile } from './profile.js';
import * as pytorch from './pytorch.js';
import * as report from './report.js';
import * as work from './workloads.js';
import type { KernelSet } from './workloads.js';

/** Workload sizes: one repetition of each takes about a second. */
const SIZES = {
  clientImages: 100,
  trainEpochs: 1,
  scoreProbes: 512,
  classifierImages: 500,
  endToEndProbes: 256,
  clients: 10,
  workers: 2,
  profileSteps: 3,
};

type Sizes = typeof SIZES;

/** Sizes for checking that the benchmark runs, not for its figures. */
const QUICK_SIZES: Sizes = {
  ...SIZES,
  scoreProbes: 64,
  classifierImages: 64,
  endToEndProbes: 32,
  profileSteps: 1,
};

const SETS: readonly KernelSet[] = ['semipriv', 'stock'];

const NOTES = [
  'Images/s of the median repetition, after one warm-up repetition.',
  'The stock wasm backend lacks Conv2DBackpropFilter and borrows semipriv’s.',
  'bibae-train: one epoch of a BIB-AE in training on 100 images of one ' +
    'digit (batches 32, 32, 32, 4), both discriminators included.',
  'Scoring uses freshly initialised weights: the cost does not depend on them.',
  'classifier-train: one epoch of the default classifier, affine ' +
    'augmentation included; the scores fed to it are stand-ins.',
  'end-to-end: all clients score each probe, then scaling and classifier.',
  'PyTorch parallel training: one process of one thread per client, and ' +
    'one process using every thread for the clients in turn.',
];

const GENERIC_BLAS =
  'This torch uses the generic reference BLAS (Debian’s build): its dense ' +
  'layers and transposed convolutions run far slower than in PyTorch’s own ' +
  'wheels, which use MKL.';

/** The images every workload uses. */
interface Inputs {
  sizes: Sizes;
  reps: number;
  /** The first clients' own images, one digit each. */
  own: Uint8Array[];
  probes: Uint8Array;
  e2eProbes: Uint8Array;
  labelled: ClassifierData;
}

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

function parseOptions() {
  const results = new URL('../../bench/results.json', import.meta.url);
  const { values } = parseArgs({
    options: {
      reps: { type: 'string', default: '5' },
      quick: { type: 'boolean', default: false },
      'skip-pytorch': { type: 'boolean', default: false },
      python: { type: 'string', default: pytorch.SYSTEM_PYTHON },
      out: { type: 'string', default: fileURLToPath(results) },
    },
  });
  const reps = Number(values.reps);
  if (!Number.isInteger(reps) || reps < 1) {
    const got = `received "${values.reps}"`;
    const message = `--reps: expected a positive integer, ${got}`;
    throw new SemiprivError('SP_OPTION', message);
  }
  return {
    reps,
    sizes: values.quick ? QUICK_SIZES : SIZES,
    skipPytorch: values['skip-pytorch'],
    python: values.python,
    out: values.out,
  };
}

/** Every workload in this thread's wasm instance. */
async function timeOneThread(input: Inputs): Promise<Measurement[]> {
  const { sizes, reps, own, probes, e2eProbes, labelled } = input;
  const n = sizes.clientImages;
  const base = { setting: '1 thread', use: work.useKernels };
  const out: Measurement[] = [];
  const time = async (quantity: string, images: number, run: () => unknown) => {
    const timed = { ...base, quantity, images, run };
    out.push(...(await timeSets(timed, SETS, reps)));
  };

  progress('timing one client’s training');
  const epochs = sizes.trainEpochs;
  const trainer = new work.ClientTrainer(own[0], n);
  await time('bibae-train', n * epochs, () => {
    for (let e = 0; e < epochs; e++) trainer.epoch();
  });
  trainer.dispose();

  progress('timing one client’s scoring');
  const clients = work.untrainedClients(sizes.clients);
  await time('client-score', sizes.scoreProbes, () => {
    work.scoreAll(clients.slice(0, 1), probes, sizes.scoreProbes);
  });

  progress('timing the server classifier’s training');
  await time('classifier-train', labelled.count, () => work.trainClassifier(labelled));

  progress('timing classification end to end');
  const server = work.untrainedServer(labelled);
  const count = sizes.endToEndProbes;
  await time('end-to-end', count, () => {
    const scores = work.scoreAll(clients, e2eProbes, count);
    work.classify(server, scores, e2eProbes, count);
  });

  server.classifier.dispose();
  for (const c of clients) c.dispose();
  return out;
}

/** Clients in worker threads, one wasm instance each, working at once. */
async function timeWorkers(input: Inputs): Promise<Measurement[]> {
  const { sizes, reps, own, e2eProbes, labelled } = input;
  const workers = new BenchWorkers(sizes.workers);
  const setting = `${sizes.workers} workers`;
  const server = work.untrainedServer(labelled);
  const out: Measurement[] = [];
  try {
    progress(`timing ${sizes.workers} clients’ training at once`);
    const n = sizes.clientImages;
    const epochs = sizes.trainEpochs;
    const training = {
      quantity: 'bibae-train-parallel',
      setting,
      images: n * epochs * sizes.workers,
      use: (set: KernelSet) => workers.use(set),
      run: () => workers.train(own, n, epochs),
    };
    out.push(...(await timeSets(training, SETS, reps)));

    progress(`timing classification, clients in ${setting}`);
    await workers.load(sizes.clients);
    const count = sizes.endToEndProbes;
    const endToEnd = {
      quantity: 'end-to-end-parallel',
      setting,
      images: count,
      // the server's half runs in this thread
      use: async (set: KernelSet) => {
        work.useKernels(set);
        await workers.use(set);
      },
      run: async () => {
        const scores = await workers.score(e2eProbes, count);
        work.classify(server, scores, e2eProbes, count);
      },
    };
    out.push(...(await timeSets(endToEnd, SETS, reps)));
  } finally {
    await workers.close();
    work.useKernels('semipriv');
    server.classifier.dispose();
  }
  return out;
}

/** PyTorch's figures, or why there are none. */
async function timePytorch(
  sizes: Sizes,
  reps: number,
  python: string | null,
): Promise<pytorch.ReferenceResults | string> {
  if (python === null) return 'skipped with --skip-pytorch';
  if (!pytorch.pytorchAvailable(python)) return `${python} cannot import torch`;
  progress(`timing the PyTorch reference with ${python}`);
  try {
    return await pytorch.runReference(python, {
      data: mnistPackageDataDir(),
      reps,
      clientImages: sizes.clientImages,
      trainEpochs: sizes.trainEpochs,
      scoreProbes: sizes.scoreProbes,
      classifierImages: sizes.classifierImages,
      endToEndProbes: sizes.endToEndProbes,
      clients: sizes.clients,
      machineThreads: sizes.workers,
      profileSteps: sizes.profileSteps,
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function main(): Promise<void> {
  const { reps, sizes, skipPytorch, python, out } = parseOptions();
  await initBackend({ backend: 'wasm' });
  const machine = report.machineInfo();

  // data: one digit per client, test images as probes, a labelled subset
  const { train, test } = await loadDataset('mnist');
  const input: Inputs = {
    sizes,
    reps,
    own: Array.from({ length: sizes.workers }, (_, digit) =>
      work.classImages(train, digit, sizes.clientImages),
    ),
    probes: work.firstImages(test, sizes.scoreProbes),
    e2eProbes: work.firstImages(test, sizes.endToEndProbes),
    labelled: work.labelledData(train, sizes.classifierImages),
  };

  // our figures, then where the training steps spend their time
  const ours = await timeOneThread(input);
  progress('profiling training steps');
  const { batchSize } = DEFAULT_RUN_OPTIONS;
  const profiles: StepProfile[] = [];
  const steps = [
    work.bibAeStep(input.own[0], batchSize),
    work.classifierStep(work.labelledData(train, batchSize)),
  ];
  for (const step of steps) {
    for (const set of SETS) {
      profiles.push(await profileStep(step, set, sizes.profileSteps));
    }
    step.dispose();
  }
  work.useKernels('semipriv');
  ours.push(...(await timeWorkers(input)));
  machine.loadAverage.end = report.machineInfo().loadAverage.start;

  // PyTorch's figures, in a separate process after ours
  const reference = await timePytorch(sizes, reps, skipPytorch ? null : python);
  const ref = typeof reference === 'string' ? null : reference;
  if (ref === null) progress(`PyTorch reference not run: ${reference}`);

  // the tables, then the file
  const rows = report.compare(ours, ref?.results ?? []);
  const labels = report.quantityLabels(sizes.clients, sizes.workers);
  process.stdout.write(`\n${report.comparisonTable(rows, labels)}\n`);
  const notes = ref?.blas === 'generic' ? [...NOTES, GENERIC_BLAS] : NOTES;
  if (ref?.blas === 'generic') process.stdout.write(`${GENERIC_BLAS}\n`);
  process.stdout.write('\n');
  process.stdout.write(`${report.profileTables(profiles, ref)}\n`);
  const settings = {
    reps,
    warmUp: 1,
    ...sizes,
    bibAeBatchSize: batchSize,
    scoreBatchSize: 256,
  };
  const json = report.resultsJson({
    machine,
    reference,
    settings,
    notes,
    rows,
    measurements: ours,
    profiles,
  });
  await writeFile(out, json);
  progress(`wrote ${out}`);
}

await main();
