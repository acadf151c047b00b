/**
 * MaxPoolGrad for the classifier's 2×2, stride-2 pooling. The stock wasm
 * kernel visits, for every input element, each window that could cover it and
 * searches that window for its maximum again; for non-overlapping 2×2 windows
 * one pass suffices: find each window's maximum once and route its gradient
 * there, zeros everywhere else. Other pooling shapes run the stock kernel.
 */
import { tf } from '../tf.js';
import type { TensorInfo, WasmKernelArgs } from './wasm.js';
import { heapF32, input, runStock, wasmKernel } from './wasm.js';

function maxPoolGrad(args: WasmKernelArgs): TensorInfo {
  const { backend } = args;
  const dy = input(args, 'dy');
  const x = input(args, 'input');
  const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const simple =
    x.dtype === 'float32' &&
    info.filterHeight === 2 &&
    info.filterWidth === 2 &&
    info.strideHeight === 2 &&
    info.strideWidth === 2 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    info.outHeight * 2 <= info.inHeight &&
    info.outWidth * 2 <= info.inWidth;
  if (!simple) {
    return runStock('MaxPoolGrad', backend, args.inputs, args.attrs);
  }

  const dx = backend.makeOutput(x.shape, 'float32');
  const xs = heapF32(backend, x);
  const grads = heapF32(backend, dy);
  const out = heapF32(backend, dx);
  out.fill(0);

  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const row = inWidth * channels;
  let g = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const top = (b * inHeight + 2 * oy) * row;
      for (let ox = 0; ox < outWidth; ox++) {
        const corner = top + 2 * ox * channels;
        for (let c = 0; c < channels; c++, g++) {
          // the first strictly largest value in row-major order takes the
          // gradient, as on the cpu backend; a window of NaNs passes none
          const p0 = corner + c;
          const p1 = p0 + channels;
          const p2 = p0 + row;
          const p3 = p2 + channels;
          let best = -1;
          let max = -Infinity;
          if (xs[p0] > max) {
            max = xs[p0];
            best = p0;
          }
          if (xs[p1] > max) {
            max = xs[p1];
            best = p1;
          }
          if (xs[p2] > max) {
            max = xs[p2];
            best = p2;
          }
          if (xs[p3] > max) best = p3;
          if (best >= 0) out[best] = grads[g];
        }
      }
    }
  }
  return dx;
}

/** The kernel registered on the wasm backend in place of the stock one. */
export const maxPoolGradConfig = wasmKernel('MaxPoolGrad', maxPoolGrad);
