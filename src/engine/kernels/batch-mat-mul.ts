/**
 * BatchMatMul for the wasm backend. The stock kernel is fast (XNNPACK) only
 * without transposes; with `transposeA` or `transposeB` it runs a loop about
 * ten times slower, and every dense layer's gradient asks for one of them.
 * Here the operands are transposed by the stock Transpose kernel and the
 * product runs untransposed.
 *
 * XNNPACK repacks the right-hand operand on each call, which costs far more
 * per element than a transpose, so the kernel may instead compute
 * `Cᵀ = op(B)ᵀ · op(A)ᵀ` when that puts the smaller operand on the right.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { tf } from '../tf.js';
import type { TensorInfo, WasmKernelArgs } from './wasm.js';
import { free, input, reshaped, runStock, wasmKernel } from './wasm.js';

// Costs per element, in units of one transposed input element, fitted to
// timings of the dense layers of a 28×28 autoencoder: repacking the right
// operand, and transposing the product (written fresh, then read again).
const PACK_COST = 4;
const RESULT_TRANSPOSE_COST = 2;

/** Which way round to run `C = op(A) · op(B)`. */
export type Plan = 'direct' | 'swapped';

/**
 * The cheaper of `op(A) · op(B)` and `(op(B)ᵀ · op(A)ᵀ)ᵀ` for an
 * `m × k × n` product.
 */
export function planMatMul(
  m: number,
  k: number,
  n: number,
  transposeA: boolean,
  transposeB: boolean,
): Plan {
  const sizeA = m * k;
  const sizeB = k * n;
  const direct = (transposeA ? sizeA : 0) + (transposeB ? sizeB : 0) + PACK_COST * sizeB;
  const swapped =
    (transposeA ? 0 : sizeA) +
    (transposeB ? 0 : sizeB) +
    PACK_COST * sizeA +
    RESULT_TRANSPOSE_COST * m * n;
  return direct <= swapped ? 'direct' : 'swapped';
}

function transpose(backend: BackendWasm, x: TensorInfo): TensorInfo {
  return runStock('Transpose', backend, { x }, { perm: [1, 0] });
}

/** The untransposed stock product of two matrices. */
function product(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  const attrs = { transposeA: false, transposeB: false };
  const out = runStock('BatchMatMul', backend, { a, b }, attrs);
  out.shape = [a.shape[0], b.shape[1]];
  return out;
}

function batchMatMul(args: WasmKernelArgs): TensorInfo {
  const { backend } = args;
  const a = input(args, 'a');
  const b = input(args, 'b');
  const attrs = args.attrs as unknown as tf.BatchMatMulAttrs;
  const { transposeA, transposeB } = attrs;
  const [rowsA, colsA] = a.shape.slice(-2);
  const [rowsB, colsB] = b.shape.slice(-2);
  const [m, k] = transposeA ? [colsA, rowsA] : [rowsA, colsA];
  const [kB, n] = transposeB ? [colsB, rowsB] : [rowsB, colsB];
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const plan = planMatMul(m, k, n, transposeA, transposeB);

  // batched products, other dtypes and shape errors stay with the stock kernel
  const matrices =
    a.shape.length >= 2 &&
    b.shape.length >= 2 &&
    tf.util.sizeFromShape(batchA) === 1 &&
    tf.util.sizeFromShape(batchB) === 1;
  const floats = a.dtype === 'float32' && b.dtype === 'float32';
  const plain = plan === 'direct' && !transposeA && !transposeB;
  if (!matrices || !floats || k !== kB || plain) {
    return runStock('BatchMatMul', backend, { a, b }, { ...attrs });
  }

  const matA = reshaped(a, [rowsA, colsA]);
  const matB = reshaped(b, [rowsB, colsB]);
  const made: TensorInfo[] = [];
  const transposed = (x: TensorInfo): TensorInfo => {
    const t = transpose(backend, x);
    made.push(t);
    return t;
  };
  let out: TensorInfo;
  if (plan === 'direct') {
    const left = transposeA ? transposed(matA) : matA;
    const right = transposeB ? transposed(matB) : matB;
    out = product(backend, left, right);
  } else {
    // op(B)ᵀ is B itself when B was to be transposed, and likewise for A
    const left = transposeB ? matB : transposed(matB);
    const right = transposeA ? matA : transposed(matA);
    const swapped = product(backend, left, right);
    out = transpose(backend, swapped);
    free(backend, swapped);
  }
  free(backend, ...made);
  const batch = tf.broadcast_util.assertAndGetBroadcastShape(batchA, batchB);
  out.shape = [...batch, m, n];
  return out;
}

/** The kernel registered on the wasm backend in place of the stock one. */
export const batchMatMulConfig = wasmKernel('BatchMatMul', batchMatMul);
