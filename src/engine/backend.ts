/**
 * Chooses and starts the TensorFlow.js backend: `tensorflow` (the native binding, when the user
 * has installed `@tensorflow/tfjs-node`), `wasm` (the default: XNNPACK with SIMD, shipped inside
 * the npm package) or `cpu` (plain JavaScript, the numerical reference).
 */
import { SemiprivError } from '../errors.js';
import { registerMissingWasmKernels, registerWasmKernels } from './kernels/index.js';
import { tf } from './tf.js';

/** A backend name as the CLI accepts it. */
export type BackendName = 'wasm' | 'cpu' | 'tensorflow';

/** The backend names, in the order `auto` tries them. */
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Options for {@link initBackend}. */
export interface BackendOptions {
  /** Which backend to use; `auto` takes tfjs-node when installed, else wasm. */
  backend?: BackendName | 'auto';
  /**
   * Register semipriv's faster wasm kernels (default true). Off (or with the environment
   * variable `SEMIPRIV_STOCK_KERNELS=1`), only the kernel the stock backend lacks for training
   * is added, so the stock kernels can be measured.
   */
  projectKernels?: boolean;
}

async function tryLoadNode(): Promise<boolean> {
  // A variable specifier keeps TypeScript and bundlers from requiring the optional package.
  const name = '@tensorflow/tfjs-node';
  try {
    await import(name);
    return (
      tf.findBackend('tensorflow') !== null || tf.engine().registryFactory.tensorflow !== undefined
    );
  } catch {
    return false;
  }
}

/**
 * Starts the backend and returns the name of the one in use.
 *
 * @example
 * const name = await initBackend({ backend: 'auto' }); // 'wasm' unless tfjs-node is installed
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendName> {
  const wanted = options.backend ?? 'auto';
  const stock = process.env.SEMIPRIV_STOCK_KERNELS === '1' || options.projectKernels === false;
  if (stock) registerMissingWasmKernels();
  else registerWasmKernels();

  let name: BackendName;
  if (wanted === 'auto') {
    name = (await tryLoadNode()) ? 'tensorflow' : 'wasm';
  } else if (wanted === 'tensorflow') {
    if (!(await tryLoadNode())) {
      throw new SemiprivError(
        'SP_BACKEND',
        'backend "tensorflow" needs the package @tensorflow/tfjs-node, which is not installed',
      );
    }
    name = 'tensorflow';
  } else {
    name = wanted;
  }

  if (tf.getBackend() === name) return name;
  const ok = await tf.setBackend(name);
  if (!ok) throw new SemiprivError('SP_BACKEND', `backend "${name}" failed to initialise`);
  await tf.ready();
  return name;
}

/** Parses a `--backend` value. */
export function parseBackend(value: string): BackendName | 'auto' {
  if (value === 'auto' || (BACKEND_NAMES as readonly string[]).includes(value)) {
    return value as BackendName | 'auto';
  }
  throw new SemiprivError(
    'SP_OPTION',
    `--backend: expected one of auto, wasm, cpu, tensorflow; received "${value}"`,
  );
}
