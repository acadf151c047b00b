/**
 * Worker threads that train and hold the simulation's clients, one wasm instance each. A
 * trained client stays in the worker that trained it and is reached through a
 * {@link ClientEndpoint}, like any other transport.
 */
import { Worker } from 'node:worker_threads';
import type { ClientTrainOptions } from '../client/client.js';
import type { BackendName } from '../engine/backend.js';
import { SemiprivError, type ErrorCode, ERROR_CODES } from '../errors.js';
import type { Scores } from '../model/bibae.js';
import type { EpochReport } from '../model/train.js';
import type { ClientEndpoint, ClientInfo, ProbeBatch } from '../transport/types.js';
import type { WorkerRequest, WorkerResponse } from './messages.js';

type Pending = {
  resolve: (message: WorkerResponse) => void;
  reject: (error: Error) => void;
  onEpoch?: (report: EpochReport) => void;
};

/** A client trained by the pool: its endpoint, public facts and training time. */
export interface TrainedClient {
  endpoint: ClientEndpoint;
  info: ClientInfo;
  seconds: number;
}

/** One training job for {@link WorkerPool.trainAll}. */
export interface TrainJob {
  pixels: Uint8Array;
  count: number;
  options: ClientTrainOptions;
}

class ClientWorker {
  readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor() {
    this.worker = startWorker('client-worker');
    this.worker.on('message', (message: WorkerResponse) => this.receive(message));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => {
      if (this.pending.size > 0) this.failAll(new Error(`worker exited with code ${code}`));
    });
  }

  request(
    message: DistributiveOmit<WorkerRequest, 'id'>,
    transfer: ArrayBuffer[] = [],
    onEpoch?: (report: EpochReport) => void,
  ): Promise<WorkerResponse> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEpoch });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private receive(message: WorkerResponse): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'epoch') {
      pending.onEpoch?.(message.report);
      return;
    }
    this.pending.delete(message.id);
    if (message.type === 'error') {
      const code = (message.code in ERROR_CODES ? message.code : 'SP_WORKER') as ErrorCode;
      pending.reject(new SemiprivError(code, message.message));
    } else {
      pending.resolve(message);
    }
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) {
      p.reject(new SemiprivError('SP_WORKER', `client worker failed: ${error.message}`));
    }
    this.pending.clear();
  }
}

/**
 * Starts the worker module `name` beside this file. Under vitest the sources are TypeScript,
 * so the worker first registers tsx's loader (worker threads do not inherit --import).
 */
function startWorker(name: string): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, import.meta.url));
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL(`./${name}.ts`, import.meta.url).href;
  const code =
    `import(${JSON.stringify(api)})` +
    `.then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true });
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

class WorkerEndpoint implements ClientEndpoint {
  readonly label: number;
  private readonly host: ClientWorker;

  constructor(label: number, host: ClientWorker) {
    this.label = label;
    this.host = host;
  }

  async info(): Promise<ClientInfo> {
    const reply = await this.host.request({ type: 'info', label: this.label });
    if (reply.type !== 'info') throw unexpected(reply);
    return reply.info;
  }

  async score(probes: ProbeBatch): Promise<Scores> {
    const reply = await this.host.request({ type: 'score', label: this.label, probes });
    if (reply.type !== 'scores') throw unexpected(reply);
    return {
      reconstructionError: reply.reconstructionError,
      discriminatorScore: reply.discriminatorScore,
    };
  }
}

function unexpected(reply: WorkerResponse): SemiprivError {
  return new SemiprivError('SP_INTERNAL', `unexpected worker reply "${reply.type}"`);
}

/**
 * A pool of client worker threads.
 *
 * @example
 * const pool = await WorkerPool.start(2, 'wasm');
 * const clients = await pool.trainAll(jobs, (label, report) => draw(label, report));
 * await pool.close();
 */
export class WorkerPool {
  readonly backend: BackendName;
  private readonly workers: ClientWorker[];

  private constructor(workers: ClientWorker[], backend: BackendName) {
    this.workers = workers;
    this.backend = backend;
  }

  /** Starts `size` workers and their backends. */
  static async start(
    size: number,
    backend: BackendName | 'auto',
    projectKernels = true,
  ): Promise<WorkerPool> {
    const workers = Array.from({ length: Math.max(1, size) }, () => new ClientWorker());
    const replies = await Promise.all(
      workers.map((w) => w.request({ type: 'init', backend, projectKernels })),
    );
    const first = replies[0];
    if (first.type !== 'ready') throw unexpected(first);
    return new WorkerPool(workers, first.backend);
  }

  /** Number of worker threads. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Trains every job; each idle worker takes the next job, so the clients spread over the
   * workers. Results are in job order and do not depend on which worker ran which job. A
   * worker takes its next job once `onTrained` has settled for its last one.
   */
  async trainAll(
    jobs: readonly TrainJob[],
    onEpoch?: (label: number, report: EpochReport) => void,
    onTrained?: (client: TrainedClient) => void | Promise<void>,
  ): Promise<TrainedClient[]> {
    const results: TrainedClient[] = new Array(jobs.length);
    let next = 0;
    const drain = async (host: ClientWorker): Promise<void> => {
      while (next < jobs.length) {
        const index = next++;
        const job = jobs[index];
        const label = job.options.label;
        const reply = await host.request(
          { type: 'train', pixels: job.pixels, count: job.count, options: job.options },
          [],
          (report) => onEpoch?.(label, report),
        );
        if (reply.type !== 'trained') throw unexpected(reply);
        results[index] = {
          endpoint: new WorkerEndpoint(label, host),
          info: reply.info,
          seconds: reply.seconds,
        };
        await onTrained?.(results[index]);
      }
    };
    await Promise.all(this.workers.map(drain));
    return results;
  }

  /** Live tensor count and bytes in each worker. */
  async tensors(): Promise<{ numTensors: number; numBytes: number }[]> {
    const replies = await Promise.all(this.workers.map((w) => w.request({ type: 'tensors' })));
    return replies.map((r) => {
      if (r.type !== 'tensors') throw unexpected(r);
      return { numTensors: r.numTensors, numBytes: r.numBytes };
    });
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
