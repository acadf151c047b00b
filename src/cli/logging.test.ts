import { describe, expect, it } from 'vitest';
import { formatLogLine, logFormat, logLevel } from './logging.js';

describe('formatLogLine', () => {
  it('writes time, level, node and label, then the fields with short numbers', () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 0, 2, 3, 4, 5),
      node: 'client',
      label: 3,
      msg: 'scored',
      ms: 0.6,
      total: 33280.46,
      leakage: 0.0005,
      images: 12,
      url: 'http://127.0.0.1:1',
    });
    expect(formatLogLine(line)).toBe(
      '03:04:05 info client[3] scored ms=0.6 total=33280 leakage=0.0005 images=12 ' +
        'url="http://127.0.0.1:1"\n',
    );
  });
});

describe('log settings from the environment', () => {
  it('defaults to warn on a terminal and info elsewhere, and refuses unknown levels', () => {
    expect(logLevel(undefined, true)).toBe('warn');
    expect(logLevel('', false)).toBe('info');
    expect(logLevel('debug', true)).toBe('debug');
    expect(() => logLevel('loud', false)).toThrow('SEMIPRIV_LOG_LEVEL: expected one of');
  });

  it('takes text or json and refuses any other format', () => {
    expect(logFormat(undefined)).toBe('text');
    expect(logFormat('json')).toBe('json');
    expect(() => logFormat('xml')).toThrow(
      'SEMIPRIV_LOG_FORMAT: expected text or json, received "xml"',
    );
  });
});
