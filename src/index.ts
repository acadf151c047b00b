/**
 * semipriv's library API: the pieces a program needs to run the scheme itself, on one machine
 * or across machines.
 *
 * @example
 * import { initBackend, runScheme, DEFAULT_RUN_OPTIONS } from 'semipriv';
 * await initBackend();
 * const result = await runScheme({ ...DEFAULT_RUN_OPTIONS, nAe: 100, nClassifier: 1000 });
 */
export { ERROR_CODES, SemiprivError, type ErrorCode } from './errors.js';
export { initBackend, type BackendName, type BackendOptions } from './engine/backend.js';
export { createRng, type Rng } from './random.js';
export { loadDataset } from './data/load.js';
export { partition, type Partition, type PartitionOptions } from './data/partition.js';
export { readImageSet, writeImageSet } from './data/idx.js';
export type { Dataset, DatasetName, ImageSet } from './data/types.js';
export {
  BibAe,
  DEFAULT_BIBAE_OPTIONS,
  type BibAeOptions,
  type BibAeLossWeights,
  type Scores,
} from './model/bibae.js';
export {
  Classifier,
  DEFAULT_CLASSIFIER_OPTIONS,
  type ClassifierOptions,
} from './model/classifier.js';
export { Client, type ClientTrainOptions } from './client/client.js';
export { saveClientModel, loadClientModel } from './client/model-dir.js';
export { createClientService, type ClientServiceOptions } from './client/service.js';
export {
  Server,
  scoreFeatures,
  type ServerModel,
  type ServerTrainOptions,
} from './server/server.js';
export { saveServerModel, loadServerModel } from './server/model-dir.js';
export { createServerService, connectClients } from './server/service.js';
export { InProcessEndpoint } from './transport/in-process.js';
export { HttpEndpoint } from './transport/http-client.js';
export type { ClientEndpoint, ClientInfo, ProbeBatch } from './transport/types.js';
export {
  DEFAULT_RUN_OPTIONS,
  fitAndEvaluate,
  runScheme,
  type RunOptions,
  type RunResult,
} from './simulation/run.js';
export { WorkerPool } from './simulation/worker-pool.js';
