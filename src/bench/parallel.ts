/**
 * The benchmark's worker threads, seen from the main thread: each holds its
 * own wasm instance, as the simulation's client workers do.
 */
import { Worker } from 'node:worker_threads';

import type { Scores } from '../model/bibae.js';
import type { KernelSet } from './workloads.js';

/** Main thread → benchmark worker. */
export type WorkerTask =
  | { type: 'use'; id: number; set: KernelSet }
  | {
      type: 'train';
      id: number;
      pixels: Uint8Array;
      count: number;
      epochs: number;
    }
  | { type: 'load'; id: number; clients: number; firstLabel: number }
  | { type: 'score'; id: number; pixels: Uint8Array; count: number };

/** Benchmark worker → main thread. */
export type WorkerReply =
  | { type: 'done'; id: number }
  | { type: 'scores'; id: number; scores: Scores[] }
  | { type: 'error'; id: number; message: string };

type Omitted<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Pending {
  resolve: (reply: WorkerReply) => void;
  reject: (error: Error) => void;
}

class BenchWorker {
  private readonly worker = new Worker(new URL('./worker.js', import.meta.url));
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor() {
    this.worker.on('message', (reply: WorkerReply) => {
      this.pending.get(reply.id)?.resolve(reply);
      this.pending.delete(reply.id);
    });
    this.worker.on('error', (error) => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    });
  }

  async ask(task: Omitted<WorkerTask>): Promise<WorkerReply> {
    const id = this.nextId++;
    const reply = await new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...task, id });
    });
    if (reply.type === 'error') {
      throw new Error(`benchmark worker: ${reply.message}`);
    }
    return reply;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Worker threads that run workloads at the same time.
 *
 * @example
 * const workers = new BenchWorkers(2);
 * await workers.train([zeros, ones], 100, 1); // two clients at once
 * await workers.close();
 */
export class BenchWorkers {
  private readonly workers: BenchWorker[];

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => new BenchWorker());
  }

  /** Number of threads. */
  get size(): number {
    return this.workers.length;
  }

  /** Registers a kernel set in every worker. */
  async use(set: KernelSet): Promise<void> {
    await Promise.all(this.workers.map((w) => w.ask({ type: 'use', set })));
  }

  /**
   * Worker i trains its client for `epochs`, resolving when all are done. The
   * first call builds the clients on `pixels[i]`; later ones go on training.
   */
  async train(pixels: readonly Uint8Array[], count: number, epochs: number): Promise<void> {
    await Promise.all(
      this.workers.map((w, i) => w.ask({ type: 'train', pixels: pixels[i], count, epochs })),
    );
  }

  /** Spreads `clients` untrained clients evenly over the workers. */
  async load(clients: number): Promise<void> {
    const each = Math.ceil(clients / this.size);
    await Promise.all(
      this.workers.map((w, i) => {
        const firstLabel = i * each;
        const own = Math.max(0, Math.min(each, clients - firstLabel));
        return w.ask({ type: 'load', clients: own, firstLabel });
      }),
    );
  }

  /** Every loaded client's scores of the probes, in label order. */
  async score(pixels: Uint8Array, count: number): Promise<Scores[]> {
    const replies = await Promise.all(
      this.workers.map((w) => w.ask({ type: 'score', pixels, count })),
    );
    return replies.flatMap((r) => (r.type === 'scores' ? r.scores : []));
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
