/**
 * Kernels semipriv registers on the wasm backend: ones the stock backend lacks for training,
 * and faster versions of slow stock ones.
 */
let registered = false;

/** Registers semipriv's wasm kernels once per thread. */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
}
