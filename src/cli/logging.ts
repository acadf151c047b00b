/**
 * The CLI's logger: pino, written either as JSON lines or as short readable text lines.
 */
import { pino, type Logger } from 'pino';
import { SemiprivError } from '../errors.js';
import { LOG_LEVELS, setRootLogger } from '../log.js';

/** How log lines are written. */
export type LogFormat = 'text' | 'json';

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'node', 'label']);

/** Formats one pino JSON line as `HH:MM:SS level node[label] message key=value…`. */
export function formatLogLine(line: string): string {
  const record = JSON.parse(line) as Record<string, unknown>;
  const time = new Date(Number(record.time)).toISOString().slice(11, 19);
  const level = LEVELS[Number(record.level)] ?? String(record.level);
  const node = record.node ? ` ${String(record.node)}` : '';
  const label = record.label !== undefined ? `[${String(record.label)}]` : '';
  const fields = Object.entries(record)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'number' ? round(v) : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${level}${node}${label} ${String(record.msg ?? '')}${fields ? ` ${fields}` : ''}\n`;
}

/** Four significant digits, without trailing zeros or an exponent: 0.6, 33280, 0.0005. */
function round(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

/** Installs the CLI logger on stderr and returns it. */
export function setupLogging(level: string, format: LogFormat): Logger {
  const destination =
    format === 'json'
      ? process.stderr
      : { write: (line: string) => void process.stderr.write(formatLogLine(line)) };
  const logger = pino({ name: 'semipriv', level }, destination);
  setRootLogger(logger);
  return logger;
}

/** The level from SEMIPRIV_LOG_LEVEL, or the default: warn on a terminal, info elsewhere. */
export function logLevel(value: string | undefined, terminal: boolean): string {
  if (value === undefined || value === '') return terminal ? 'warn' : 'info';
  if (!LOG_LEVELS.includes(value)) {
    throw new SemiprivError(
      'SP_OPTION',
      `SEMIPRIV_LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, received "${value}"`,
    );
  }
  return value;
}

/** The format from SEMIPRIV_LOG_FORMAT: readable text lines unless it says json. */
export function logFormat(value: string | undefined): LogFormat {
  if (value === undefined || value === '' || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new SemiprivError(
    'SP_OPTION',
    `SEMIPRIV_LOG_FORMAT: expected text or json, received "${value}"`,
  );
}
