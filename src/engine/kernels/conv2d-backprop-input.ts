/**
 * Conv2DBackpropInput for the wasm backend: the input gradient of a
 * convolution and the forward pass of a transposed convolution, NHWC, any
 * stride and padding, dilation 1.
 *
 * The stock kernel is a plain loop, about eight times slower than a forward
 * convolution of the same size. This one splits the work into stride-phases
 * that run on the stock XNNPACK Conv2D (see `transposed-conv.ts`).
 */
import { tf } from '../tf.js';
import { phasesFit, separatePhases, splitAxis, stackedPhases } from './transposed-conv.js';
import type { TensorInfo, WasmKernelArgs } from './wasm.js';
import { input, runStock, wasmKernel } from './wasm.js';

// From this many image channels on, one convolution per phase beats one
// stacked convolution; below it, each phase has too few output channels to
// fill XNNPACK's tiles.
const SEPARATE_FROM_CHANNELS = 16;

function conv2dBackpropInput(args: WasmKernelArgs): TensorInfo {
  const { backend } = args;
  const dy = input(args, 'dy');
  const filter = input(args, 'filter');
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  const { padInfo } = info;
  const h = splitAxis(
    info.inHeight,
    info.outHeight,
    info.filterHeight,
    info.strideHeight,
    padInfo.top,
  );
  const w = splitAxis(
    info.inWidth,
    info.outWidth,
    info.filterWidth,
    info.strideWidth,
    padInfo.left,
  );

  // channels-first data and padding wider than the filter stay stock
  const nhwc = info.dataFormat === 'channelsLast';
  if (!nhwc || dy.dtype !== 'float32' || !phasesFit(h, w)) {
    const inputs = { dy, filter };
    return runStock('Conv2DBackpropInput', backend, inputs, { ...attrs });
  }
  const dxShape = [...attrs.inputShape];
  return info.inChannels >= SEPARATE_FROM_CHANNELS
    ? separatePhases(backend, dy, filter, dxShape, h, w)
    : stackedPhases(backend, dy, filter, dxShape, h, w);
}

/** The kernel registered on the wasm backend in place of the stock one. */
export const conv2dBackpropInputConfig = wasmKernel('Conv2DBackpropInput', conv2dBackpropInput);
