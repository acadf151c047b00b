/**
 * Named trainable parameters. A network is a set of `tf.Variable`s created from a seeded
 * generator, so the same seed gives the same initial weights on every backend and thread.
 */
import { tf, type Variable } from '../engine/tf.js';
import type { Rng } from '../random.js';

/** Serialised weights: name → shape and values. */
export interface WeightEntry {
  readonly name: string;
  readonly shape: number[];
  readonly values: Float32Array;
}

/** A collection of named variables belonging to one network. */
export class ParamStore {
  readonly prefix: string;
  private readonly vars = new Map<string, Variable>();

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** Creates a variable filled uniformly in [-limit, limit]. */
  uniform(name: string, shape: number[], limit: number, rng: Rng): Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = (2 * rng.next() - 1) * limit;
    return this.add(name, shape, values);
  }

  /** Creates a variable filled with zeros. */
  zeros(name: string, shape: number[]): Variable {
    return this.add(name, shape, new Float32Array(shape.reduce((a, b) => a * b, 1)));
  }

  /** The variable called `name` (without prefix). */
  get(name: string): Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`${this.prefix}: no parameter "${name}"`);
    return v;
  }

  /** Every variable, in creation order. */
  list(): Variable[] {
    return [...this.vars.values()];
  }

  /** Number of scalar parameters. */
  size(): number {
    return this.list().reduce((n, v) => n + v.size, 0);
  }

  /** Copies the current values out of the backend. */
  export(): WeightEntry[] {
    return [...this.vars.entries()].map(([name, v]) => ({
      name: `${this.prefix}/${name}`,
      shape: [...v.shape],
      values: v.dataSync() as Float32Array,
    }));
  }

  /** Overwrites values from `entries`; every parameter must be present with its shape. */
  import(entries: readonly WeightEntry[]): void {
    const byName = new Map(entries.map((e) => [e.name, e]));
    for (const [name, v] of this.vars) {
      const entry = byName.get(`${this.prefix}/${name}`);
      if (!entry || entry.shape.join('x') !== v.shape.join('x')) {
        const got = entry ? `shape ${entry.shape.join('x')}` : 'nothing';
        throw new Error(
          `${this.prefix}/${name}: expected shape ${v.shape.join('x')}, received ${got}`,
        );
      }
      tf.tidy(() => v.assign(tf.tensor(entry.values, entry.shape)));
    }
  }

  /** Frees every variable. */
  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }

  private add(name: string, shape: number[], values: Float32Array): Variable {
    // tfjs variable names are global to the thread, so leave naming to it; ours is the key.
    const initial = tf.tensor(values, shape);
    const v = tf.variable(initial, true);
    initial.dispose();
    this.vars.set(name, v);
    return v;
  }
}
