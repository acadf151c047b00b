/**
 * Messages between the simulation's main thread and its client worker threads.
 */
import type { ClientTrainOptions } from '../client/client.js';
import type { BackendName } from '../engine/backend.js';
import type { BibAeLosses } from '../model/bibae.js';
import type { EpochReport } from '../model/train.js';
import type { ClientInfo, ProbeBatch } from '../transport/types.js';

/** Main thread → worker. */
export type WorkerRequest =
  | { type: 'init'; id: number; backend: BackendName | 'auto'; projectKernels: boolean }
  | {
      type: 'train';
      id: number;
      pixels: Uint8Array;
      count: number;
      options: ClientTrainOptions;
    }
  | { type: 'score'; id: number; label: number; probes: ProbeBatch }
  | { type: 'info'; id: number; label: number }
  | { type: 'tensors'; id: number };

/** Worker → main thread. */
export type WorkerResponse =
  | { type: 'ready'; id: number; backend: BackendName }
  | { type: 'epoch'; id: number; label: number; report: EpochReport }
  | { type: 'trained'; id: number; info: ClientInfo; seconds: number; losses: BibAeLosses | null }
  | {
      type: 'scores';
      id: number;
      reconstructionError: Float32Array;
      discriminatorScore: Float32Array;
    }
  | { type: 'info'; id: number; info: ClientInfo }
  | { type: 'tensors'; id: number; numTensors: number; numBytes: number }
  | { type: 'error'; id: number; code: string; message: string };
