/**
 * Runs one computation on two backends, so a wasm kernel can be checked against
 * the plain JavaScript `cpu` backend, which TensorFlow.js maintains as its
 * numerical reference.
 */
import type { Rng } from '../../random.js';
import { tf } from '../tf.js';

/** An input for {@link valuesOn}: values and the shape to give them. */
export interface ReferenceInput {
  values: Float32Array;
  shape: number[];
}

/** Standard normal values for a tensor of `shape`, drawn from `rng`. */
export function normalInput(rng: Rng, shape: number[]): ReferenceInput {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  return { values, shape };
}

/**
 * Switches to `backend`, runs `f` on fresh tensors made from `inputs` and
 * returns every output's values; tensors made along the way are disposed.
 *
 * @example
 * const x = normalInput(createRng(0), [4]);
 * const [y] = await valuesOn('cpu', (t) => tf.relu(t), [x]);
 */
export async function valuesOn(
  backend: string,
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  inputs: ReferenceInput[],
): Promise<Float32Array[]> {
  if (tf.getBackend() !== backend) await tf.setBackend(backend);
  const outputs = tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.values, i.shape));
    const ys = f(...xs);
    return Array.isArray(ys) ? ys : [ys];
  });
  // read outside tidy: returning typed arrays from tidy makes it walk every
  // element
  const values = outputs.map((y) => Float32Array.from(y.dataSync()));
  tf.dispose(outputs);
  return values;
}

/**
 * The largest absolute difference, relative to the largest magnitude in
 * `expected`.
 */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  if (Number.isNaN(diff)) return Infinity;
  return diff / Math.max(scale, 1e-30);
}
