import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, SemiprivError } from './errors.js';

describe('error catalogue', () => {
  it('documents every code in docs/errors.md with its HTTP status, and nothing else', () => {
    const page = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    const rows = [...page.matchAll(/^\|\s*`(SP_[A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)];
    const documented = Object.fromEntries(rows.map((m) => [m[1], Number(m[2])]));
    const defined = Object.fromEntries(
      Object.entries(ERROR_CODES).map(([code, d]) => [code, d.status]),
    );
    expect(documented).toEqual(defined);
  });

  it('carries the code, status and hint of its definition', () => {
    const error = new SemiprivError('SP_SHAPE', 'expected 28×28, received 32×32');
    expect(error.code).toBe('SP_SHAPE');
    expect(error.status).toBe(400);
    expect(error.hint).toBe(ERROR_CODES.SP_SHAPE.hint);
    expect(error.message).toBe('expected 28×28, received 32×32');
  });

  it('takes a hint for the situation in place of the catalogue one, and keeps the cause', () => {
    const cause = new Error('EADDRINUSE');
    const error = new SemiprivError('SP_OPTION', 'cannot listen', { hint: 'pick a port', cause });
    expect(error.hint).toBe('pick a port');
    expect(error.cause).toBe(cause);
    expect(error.status).toBe(400);
  });
});
