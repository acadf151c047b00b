/**
 * Conv2DBackpropFilter for the wasm backend, which ships none: the filter
 * gradient of a 2-D convolution, NHWC, any stride and padding, dilation 1.
 *
 * The gradient is itself a convolution with the roles swapped:
 *
 *     dW[kh, kw, ci, co] = Σ x[n, oy·s + kh − pad, ox·s + kw − pad, ci]
 *                            · dy[n, oy, ox, co]
 *
 * is a stride-1 convolution of `x` read as `[ci, h, w, n]` (input channels
 * become the batch, images become the channels) with `dy` read as an
 * `[oh, ow, n, co]` filter dilated by the forward stride. That runs on the
 * stock XNNPACK Conv2D, about as fast as the forward pass, after two
 * transposes, and a small reordering puts the result in filter layout.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { SemiprivError } from '../../errors.js';
import { tf } from '../tf.js';
import type { TensorInfo, WasmKernelArgs } from './wasm.js';
import { free, heapF32, input, runStock, wasmKernel } from './wasm.js';

type Shape4D = [number, number, number, number];

/**
 * Copies the swapped convolution's output `[ci, rows, cols, co]` into the
 * filter gradient `[kh, kw, ci, co]`, dropping rows and columns past the
 * filter.
 */
function reorder(
  swapped: Float32Array,
  swappedShape: readonly number[],
  dw: Float32Array,
  filterShape: Shape4D,
): void {
  const [, rows, cols, outChannels] = swappedShape;
  const [kh, kw, inChannels] = filterShape;
  let j = 0;
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let ci = 0; ci < inChannels; ci++) {
        const from = ((ci * rows + y) * cols + x) * outChannels;
        dw.set(swapped.subarray(from, from + outChannels), j);
        j += outChannels;
      }
    }
  }
}

/** Zero rows after the image so the swapped convolution yields `filter`. */
function padAfter(size: number, out: number, filter: number, stride: number, pad: number): number {
  return Math.max(0, (out - 1) * stride + filter - size - pad);
}

function backpropFilter(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  filterShape: Shape4D,
): TensorInfo {
  const { padInfo } = info;
  const strides = [info.strideHeight, info.strideWidth];
  const bottom = padAfter(
    info.inHeight,
    info.outHeight,
    info.filterHeight,
    info.strideHeight,
    padInfo.top,
  );
  const right = padAfter(
    info.inWidth,
    info.outWidth,
    info.filterWidth,
    info.strideWidth,
    padInfo.left,
  );
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [padInfo.top, bottom],
    [padInfo.left, right],
    [0, 0],
  ];

  // images [ci, h, w, n] and taps [oh, ow, n, co]
  const images = runStock('Transpose', backend, { x }, { perm: [3, 1, 2, 0] });
  const taps = runStock('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
  const attrs = { strides: 1, pad, dataFormat: 'NHWC', dilations: strides };
  const swapped = runStock('Conv2D', backend, { x: images, filter: taps }, attrs);
  free(backend, images, taps);

  const dw = backend.makeOutput([...filterShape], 'float32');
  const values = heapF32(backend, swapped);
  reorder(values, swapped.shape, heapF32(backend, dw), filterShape);
  free(backend, swapped);
  return dw;
}

function conv2dBackpropFilter(args: WasmKernelArgs): TensorInfo {
  const x = input(args, 'x');
  const dy = input(args, 'dy');
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4D,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  if (info.dataFormat !== 'channelsLast') {
    throw new SemiprivError(
      'SP_BACKEND',
      `wasm Conv2DBackpropFilter: expected data format NHWC, received ${attrs.dataFormat}`,
    );
  }
  return backpropFilter(args.backend, x, dy, info, attrs.filterShape);
}

/** The kernel registered on the wasm backend, whose stock set lacks it. */
export const conv2dBackpropFilterConfig = wasmKernel('Conv2DBackpropFilter', conv2dBackpropFilter);
