/**
 * A transposed convolution (NHWC, dilation 1) split into stride-phases, each
 * an ordinary stride-1 convolution that the stock XNNPACK Conv2D runs at full
 * speed.
 *
 * Along one axis, image row `y` receives `Σ_j dy[q − j] · w[r + j·stride]`
 * where `y + pad = q·stride + r`: the rows of phase `r` meet only filter rows
 * `r, r + stride, …`, flipped, and read the output gradient undilated. The
 * phases run either stacked, as one Conv2D whose output channels are
 * `(ry, rx, ci)` (cheap when the image has few channels), or separate, one
 * Conv2D each (which skips the rows a stacked grid computes to throw away).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { tf } from '../tf.js';
import type { TensorInfo } from './wasm.js';
import { free, heapF32, runStock } from './wasm.js';

/** One stride-phase of one spatial axis. */
export interface Phase {
  /** First filter row of the phase; the others follow `stride` apart. */
  r: number;
  /** Number of filter rows in the phase. */
  taps: number;
  /** Output-gradient row that tap 0 takes for the phase's first row. */
  q: number;
  /** Image row of the phase's first row. */
  first: number;
  /** Number of image rows in the phase. */
  count: number;
}

/** One spatial axis of the transposed convolution. */
export interface Axis {
  /** Length of the image (the transposed convolution's output). */
  size: number;
  /** Length of the output gradient (its input). */
  out: number;
  filter: number;
  stride: number;
  /** Zero rows the forward convolution put before the image. */
  pad: number;
  phases: Phase[];
}

/** Splits an axis into its stride-phases, leaving out empty ones. */
export function splitAxis(
  size: number,
  out: number,
  filter: number,
  stride: number,
  pad: number,
): Axis {
  const phases: Phase[] = [];
  for (let r = 0; r < stride; r++) {
    const q = Math.ceil((pad - r) / stride);
    const count = Math.floor((size - 1 + pad - r) / stride) - q + 1;
    const taps = Math.max(0, Math.ceil((filter - r) / stride));
    const first = q * stride + r - pad;
    if (count > 0) phases.push({ r, taps, q, first, count });
  }
  return { size, out, filter, stride, pad, phases };
}

/**
 * Zero rows around the output gradient so that a `taps`-row filter whose
 * first output row reads row `q` yields `count` rows.
 */
function padding(axis: Axis, taps: number, q: number, count: number): [number, number] {
  const before = taps - 1 - q;
  return [before, Math.max(0, count - axis.out - before + taps - 1)];
}

/** True when every phase needs no negative padding. */
export function phasesFit(h: Axis, w: Axis): boolean {
  const fits = (p: Phase) => p.taps === 0 || p.taps - 1 >= p.q;
  return h.phases.every(fits) && w.phases.every(fits);
}

/** Which phase, with how many taps per axis, goes where in a filter. */
interface FilterSlot {
  taps: [number, number];
  phase: [Phase, Phase];
  strides: [number, number];
  /** Channels of the destination filter, and the first one of this phase. */
  depth: number;
  offset: number;
}

/**
 * Writes the flipped sub-filter of a phase, `[th, tw, co, ci]`, into
 * channels `offset … offset + ci` of `dst`. Taps past the filter (a phase
 * with fewer taps than the stacked grid) are zero.
 */
function gatherFilter(
  filter: Float32Array,
  filterShape: readonly number[],
  dst: Float32Array,
  slot: FilterSlot,
): void {
  const [kh, kw, inChannels, outChannels] = filterShape;
  const { taps, phase, strides, depth, offset } = slot;
  for (let th = 0; th < taps[0]; th++) {
    const y = phase[0].r + (taps[0] - 1 - th) * strides[0];
    for (let tw = 0; tw < taps[1]; tw++) {
      const x = phase[1].r + (taps[1] - 1 - tw) * strides[1];
      const inside = y < kh && x < kw;
      for (let co = 0; co < outChannels; co++) {
        let j = ((th * taps[1] + tw) * outChannels + co) * depth + offset;
        let from = (y * kw + x) * inChannels * outChannels + co;
        for (let ci = 0; ci < inChannels; ci++) {
          dst[j++] = inside ? filter[from] : 0;
          from += outChannels;
        }
      }
    }
  }
}

/** Where a phase sits in a convolution output `[n, rows, cols, depth]`. */
interface Source {
  values: Float32Array;
  shape: readonly number[];
  row: number;
  col: number;
  channel: number;
}

/**
 * Copies phase `(ph, pw)` from `src` into its pixels of image `dx`, or
 * zeroes them when `src` is null.
 */
function scatterPhase(
  src: Source | null,
  dx: Float32Array,
  dxShape: readonly number[],
  [ph, pw]: [Phase, Phase],
  strides: [number, number],
): void {
  const [batch, height, width, channels] = dxShape;
  const [, rows, cols, depth] = src?.shape ?? [0, 0, 0, 0];
  const values = src?.values ?? new Float32Array(channels);
  const step = strides[1] * channels;
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < ph.count; i++) {
      const y = ph.first + i * strides[0];
      let to = ((n * height + y) * width + pw.first) * channels;
      const row = n * rows + (src?.row ?? 0) + i;
      let from = src ? (row * cols + src.col) * depth + src.channel : 0;
      for (let k = 0; k < pw.count; k++) {
        for (let c = 0; c < channels; c++) dx[to + c] = values[from + c];
        to += step;
        from += depth;
      }
    }
  }
}

/** The stock Conv2D over `dy` at stride 1 with explicit padding. */
function convolve(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  padH: [number, number],
  padW: [number, number],
): TensorInfo {
  const pad: tf.backend_util.ExplicitPadding = [[0, 0], padH, padW, [0, 0]];
  const attrs = { strides: 1, pad, dataFormat: 'NHWC', dilations: 1 };
  return runStock('Conv2D', backend, { x: dy, filter }, attrs);
}

/** The shared row grid of the stacked phases of one axis. */
function grid(axis: Axis) {
  const q = Math.min(...axis.phases.map((p) => p.q));
  const end = Math.max(...axis.phases.map((p) => p.q + p.count));
  const taps = Math.ceil(axis.filter / axis.stride);
  return { q, taps, pad: padding(axis, taps, q, end - q) };
}

/** All phases as one Conv2D with output channels `(ry, rx, ci)`. */
export function stackedPhases(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  dxShape: number[],
  h: Axis,
  w: Axis,
): TensorInfo {
  const [, , inChannels, outChannels] = filter.shape;
  const gh = grid(h);
  const gw = grid(w);
  const strides: [number, number] = [h.stride, w.stride];
  const taps: [number, number] = [gh.taps, gw.taps];
  const depth = h.stride * w.stride * inChannels;
  const channel = (ph: Phase, pw: Phase) => (ph.r * w.stride + pw.r) * inChannels;

  // stacked filter [th, tw, co, (ry, rx, ci)]
  const shape = [gh.taps, gw.taps, outChannels, depth];
  const stacked = backend.makeOutput(shape, 'float32');
  const weights = heapF32(backend, filter);
  const dst = heapF32(backend, stacked);
  for (const ph of h.phases) {
    for (const pw of w.phases) {
      const phase: [Phase, Phase] = [ph, pw];
      const offset = channel(ph, pw);
      const slot = { taps, phase, strides, depth, offset };
      gatherFilter(weights, filter.shape, dst, slot);
    }
  }
  const out = convolve(backend, dy, stacked, gh.pad, gw.pad);
  free(backend, stacked);

  const dx = backend.makeOutput(dxShape, 'float32');
  const values = heapF32(backend, out);
  const image = heapF32(backend, dx);
  for (const ph of h.phases) {
    for (const pw of w.phases) {
      const src = {
        values,
        shape: out.shape,
        row: ph.q - gh.q,
        col: pw.q - gw.q,
        channel: channel(ph, pw),
      };
      scatterPhase(src, image, dxShape, [ph, pw], strides);
    }
  }
  free(backend, out);
  return dx;
}

/** One Conv2D per phase, each computing exactly its phase's image rows. */
export function separatePhases(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  dxShape: number[],
  h: Axis,
  w: Axis,
): TensorInfo {
  const [, , inChannels, outChannels] = filter.shape;
  const strides: [number, number] = [h.stride, w.stride];
  const dx = backend.makeOutput(dxShape, 'float32');
  for (const ph of h.phases) {
    for (const pw of w.phases) {
      const phase: [Phase, Phase] = [ph, pw];
      if (ph.taps === 0 || pw.taps === 0) {
        // no filter row reaches this phase: its pixels get no gradient
        scatterPhase(null, heapF32(backend, dx), dxShape, phase, strides);
        continue;
      }
      const shape = [ph.taps, pw.taps, outChannels, inChannels];
      const sub = backend.makeOutput(shape, 'float32');
      const taps: [number, number] = [ph.taps, pw.taps];
      const slot = { taps, phase, strides, depth: inChannels, offset: 0 };
      const weights = heapF32(backend, filter);
      gatherFilter(weights, filter.shape, heapF32(backend, sub), slot);
      const padH = padding(h, ph.taps, ph.q, ph.count);
      const padW = padding(w, pw.taps, pw.q, pw.count);
      const out = convolve(backend, dy, sub, padH, padW);
      free(backend, sub);
      const values = heapF32(backend, out);
      const src = { values, shape: out.shape, row: 0, col: 0, channel: 0 };
      scatterPhase(src, heapF32(backend, dx), dxShape, phase, strides);
      free(backend, out);
    }
  }
  return dx;
}
