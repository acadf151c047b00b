/**
 * Plumbing shared by semipriv's wasm kernels: the arguments a kernel receives,
 * calls into the stock wasm kernels, and views of tensor memory on the heap.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { SemiprivError } from '../../errors.js';
import { tf } from '../tf.js';

/** A tensor as kernels see it: a data id on the backend, shape and dtype. */
export type TensorInfo = tf.TensorInfo;

/** What the engine passes to a wasm kernel. */
export interface WasmKernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs?: tf.NamedAttrMap;
}

/** A kernel body written against the wasm backend's own type. */
export type WasmKernelFunc = (args: WasmKernelArgs) => TensorInfo;

type Config = tf.KernelConfig;

/** Stock configurations by kernel name; null where the backend has none. */
const stockConfigs = new Map<string, Config | null>();

/** The stock wasm kernel `name`, remembered from before semipriv replaced it. */
export function stockKernel(name: string): Config | undefined {
  let config = stockConfigs.get(name);
  if (config === undefined) {
    config = (tf.getKernel(name, 'wasm') as Config | undefined) ?? null;
    stockConfigs.set(name, config);
  }
  return config ?? undefined;
}

/** Names of the stock kernels set up, per backend instance. */
const setUp = new WeakMap<object, Set<string>>();

/**
 * Runs a stock kernel's setup on `backend` once. The engine sets up only the
 * kernels registered when the backend starts, and semipriv may have replaced
 * this one by then.
 */
export function ensureSetup(config: Config, backend: object): void {
  if (config.setupFunc === undefined) return;
  let done = setUp.get(backend);
  if (done === undefined) {
    done = new Set();
    setUp.set(backend, done);
  }
  if (done.has(config.kernelName)) return;
  config.setupFunc(backend);
  done.add(config.kernelName);
}

/** Runs stock wasm kernel `name`; the caller owns the tensor it returns. */
export function runStock(
  name: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): TensorInfo {
  const config = stockKernel(name);
  if (config === undefined) {
    throw new SemiprivError('SP_INTERNAL', `no stock wasm kernel ${name}`);
  }
  ensureSetup(config, backend);
  return config.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

/** Wraps a kernel body as a configuration for `tf.registerKernel`. */
export function wasmKernel(name: string, body: WasmKernelFunc): Config {
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) =>
    body({ inputs, backend: backend as BackendWasm, attrs });
  return { kernelName: name, backendName: 'wasm', kernelFunc };
}

/** Input `name` of a kernel call. */
export function input(args: WasmKernelArgs, name: string): TensorInfo {
  const info = args.inputs[name];
  if (info === undefined) {
    throw new SemiprivError('SP_INTERNAL', `wasm kernel: no input "${name}"`);
  }
  return info;
}

/**
 * A float32 view of a tensor's heap memory. Take views after a kernel's last
 * allocation: growing the heap detaches every earlier view.
 */
export function heapF32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** The same data under another shape, no copy; never free it separately. */
export function reshaped(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** Frees intermediates made inside a kernel. */
export function free(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}
