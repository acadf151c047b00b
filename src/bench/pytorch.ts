/**
 * The PyTorch reference, bench/reference.py, run by the system Python or
 * another interpreter. It is used only where that Python imports torch
 * (Debian: `apt-get install python3-torch`); a Python found first on PATH may
 * lack it, hence a full path.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { JsonFields } from '../json-check.js';
import type { Measurement } from './measure.js';

/** The interpreter the reference runs under unless told otherwise. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

const SCRIPT = fileURLToPath(new URL('../../bench/reference.py', import.meta.url));

/** Sizes of the workloads, shared with the TypeScript side. */
export interface ReferenceArgs {
  data: string;
  reps: number;
  clientImages: number;
  trainEpochs: number;
  scoreProbes: number;
  classifierImages: number;
  endToEndProbes: number;
  clients: number;
  /** Threads of the whole-machine cases, and processes of parallel training. */
  machineThreads: number;
  profileSteps: number;
}

/** One operator's own time within a PyTorch training step. */
export interface OpTime {
  name: string;
  ms: number;
  calls: number;
}

/** Where the time of one kind of PyTorch training step goes. */
export interface OpProfile {
  /** `bibae-step` or `classifier-step`, as in profile.ts. */
  step: string;
  batchSize: number;
  /** Median wall time of an unprofiled step, in milliseconds. */
  stepMs: number;
  /** Sum of the operators' own times per profiled step. */
  opMs: number;
  /** The slowest operators first. */
  byOp: OpTime[];
}

/** What the reference reports. */
export interface ReferenceResults {
  python: string;
  torch: string;
  /**
   * torch's BLAS: `mkl` in PyTorch's own wheels, `generic` in Debian's
   * package, where it is the slow reference implementation.
   */
  blas: string;
  results: Measurement[];
  profiles: OpProfile[];
}

/** True when `python` can import torch. */
export function pytorchAvailable(python: string): boolean {
  const check = spawnSync(python, ['-c', 'import torch'], {
    stdio: 'ignore',
  });
  return check.status === 0;
}

/** Runs the reference; its progress lines go to this process's stderr. */
export async function runReference(python: string, args: ReferenceArgs): Promise<ReferenceResults> {
  const flags = Object.entries(args).flatMap(([key, value]) => [
    `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    String(value),
  ]);
  const child = spawn(python, [SCRIPT, ...flags], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`${SCRIPT} exited with code ${code}`);
  return parseResults(Buffer.concat(chunks).toString('utf8'));
}

function parseResults(text: string): ReferenceResults {
  const where = 'bench/reference.py output';
  const top = JsonFields.parse(text, where, 'SP_INTERNAL');
  return {
    python: top.string('python'),
    torch: top.string('torch'),
    blas: top.string('blas'),
    results: top.objects('results').map((r) => {
      const seconds = r.numbers('seconds', undefined, { min: 0 });
      return {
        quantity: r.string('quantity'),
        setting: r.string('setting'),
        kernels: 'pytorch' as const,
        images: r.number('images', { integer: true, min: 1 }),
        seconds,
        imagesPerSecond: r.number('imagesPerSecond', { min: 0 }),
      };
    }),
    profiles: top.objects('profiles').map((p) => ({
      step: p.string('step'),
      batchSize: p.number('batchSize', { integer: true }),
      stepMs: p.number('stepMs'),
      opMs: p.number('opMs'),
      byOp: p.objects('byOp').map((o) => ({
        name: o.string('name'),
        ms: o.number('ms'),
        calls: o.number('calls'),
      })),
    })),
  };
}
