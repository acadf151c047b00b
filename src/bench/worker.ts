/**
 * A worker thread of the benchmark's parallel cases: its own wasm instance,
 * running the workloads the main thread asks for, one request at a time.
 */
import { parentPort } from 'node:worker_threads';

import type { Client } from '../client/client.js';
import { initBackend } from '../engine/backend.js';
import type { WorkerReply, WorkerTask } from './parallel.js';
import * as work from './workloads.js';

const port = parentPort;
if (!port) throw new Error('bench/worker.js must run in a worker thread');

let clients: Client[] = [];
let trainer: work.ClientTrainer | null = null;

function handle(task: WorkerTask): WorkerReply {
  switch (task.type) {
    case 'use':
      work.useKernels(task.set);
      return { type: 'done', id: task.id };
    case 'train':
      trainer ??= new work.ClientTrainer(task.pixels, task.count);
      for (let e = 0; e < task.epochs; e++) trainer.epoch();
      return { type: 'done', id: task.id };
    case 'load':
      for (const c of clients) c.dispose();
      clients = work.untrainedClients(task.clients, task.firstLabel);
      return { type: 'done', id: task.id };
    case 'score': {
      const scores = work.scoreAll(clients, task.pixels, task.count);
      return { type: 'scores', id: task.id, scores };
    }
  }
}

// every task waits for the backend, then for the task before it
let failure: string | null = null;
let queue = initBackend({ backend: 'wasm' }).then(
  () => undefined,
  (error: unknown) => {
    failure = error instanceof Error ? error.message : String(error);
  },
);
port.on('message', (task: WorkerTask) => {
  queue = queue.then(() => {
    let reply: WorkerReply;
    try {
      if (failure !== null) {
        throw new Error(`the wasm backend did not start: ${failure}`);
      }
      reply = handle(task);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      reply = { type: 'error', id: task.id, message };
    }
    port.postMessage(reply);
  });
});
