/**
 * The software and machine an experiment ran on, saved with its results so that
 * a report can say what produced the numbers.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { tf } from '../engine/tf.js';
import type { Environment } from './records.js';

/**
 * Versions of semipriv, Node.js and TensorFlow.js, and the machine's platform
 * and cores.
 *
 * @example
 * currentEnvironment().tfjs; // '4.22.0'
 */
export function currentEnvironment(): Environment {
  return {
    semipriv: packageVersion(),
    node: process.versions.node,
    tfjs: tf.version.tfjs,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
  };
}

/** semipriv's own version, from the package.json two folders up (from src/ or dist/). */
export function packageVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  const parsed = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : 'unknown';
}
