/**
 * A worker thread that trains and holds clients, one wasm instance per thread. It answers the
 * requests of {@link WorkerRequest}; the clients' models never leave it.
 */
import { parentPort } from 'node:worker_threads';
import { Client } from '../client/client.js';
import { initBackend } from '../engine/backend.js';
import { tf } from '../engine/tf.js';
import { isSemiprivError } from '../errors.js';
import type { BibAeLosses } from '../model/bibae.js';
import type { WorkerRequest, WorkerResponse } from './messages.js';

const port = parentPort;
if (!port) throw new Error('client-worker.js must run in a worker thread');

const clients = new Map<number, Client>();

function send(message: WorkerResponse, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

function clientFor(label: number): Client {
  const client = clients.get(label);
  if (!client) throw new Error(`this worker holds no client for label ${label}`);
  return client;
}

async function handle(request: WorkerRequest): Promise<void> {
  switch (request.type) {
    case 'init': {
      const backend = await initBackend({
        backend: request.backend,
        projectKernels: request.projectKernels,
      });
      send({ type: 'ready', id: request.id, backend });
      return;
    }
    case 'train': {
      const start = performance.now();
      let losses: BibAeLosses | null = null;
      const client = Client.train(request.pixels, request.count, request.options, (report) => {
        losses = report.losses;
        send({ type: 'epoch', id: request.id, label: request.options.label, report });
      });
      clients.get(client.label)?.dispose();
      clients.set(client.label, client);
      const seconds = (performance.now() - start) / 1000;
      send({ type: 'trained', id: request.id, info: client.info(), seconds, losses });
      return;
    }
    case 'score': {
      const scores = clientFor(request.label).score(request.probes);
      send(
        {
          type: 'scores',
          id: request.id,
          reconstructionError: scores.reconstructionError,
          discriminatorScore: scores.discriminatorScore,
        },
        [
          scores.reconstructionError.buffer as ArrayBuffer,
          scores.discriminatorScore.buffer as ArrayBuffer,
        ],
      );
      return;
    }
    case 'info':
      send({ type: 'info', id: request.id, info: clientFor(request.label).info() });
      return;
    case 'tensors': {
      const memory = tf.memory();
      send({
        type: 'tensors',
        id: request.id,
        numTensors: memory.numTensors,
        numBytes: memory.numBytes,
      });
      return;
    }
  }
}

// requests run one at a time, in arrival order: one wasm instance does one thing at once
let queue = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  queue = queue.then(() =>
    handle(request).catch((error: unknown) => {
      const code = isSemiprivError(error) ? error.code : 'SP_WORKER';
      const message = error instanceof Error ? error.message : String(error);
      send({ type: 'error', id: request.id, code, message });
    }),
  );
});
