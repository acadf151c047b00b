/**
 * One pino logger for the whole library, with a child per node (client or server). The library
 * is silent under tests and writes JSON lines elsewhere; the CLI decides the level.
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** The levels SEMIPRIV_LOG_LEVEL may name. */
export const LOG_LEVELS: readonly string[] = [
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'silent',
];

function defaultLevel(): string {
  // an unknown level is left to the CLI to report; pino would throw on import
  const asked = process.env.SEMIPRIV_LOG_LEVEL;
  if (asked && LOG_LEVELS.includes(asked)) return asked;
  if (process.env.VITEST) return 'silent';
  return 'info';
}

let root: Logger = pino({ name: 'semipriv', level: defaultLevel() });

/** The root logger. */
export function rootLogger(): Logger {
  return root;
}

/** Replace the root logger (the CLI does this to choose level and destination). */
export function setRootLogger(logger: Logger): void {
  root = logger;
}

/**
 * A child logger for one node of the scheme.
 *
 * @example
 * const log = nodeLogger('client', 3); // every line carries node: 'client', label: 3
 */
export function nodeLogger(node: 'client' | 'server' | 'run', label?: number): Logger {
  return label === undefined ? root.child({ node }) : root.child({ node, label });
}
