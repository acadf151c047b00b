import { describe, expect, it } from 'vitest';
import { describe as describeValue, JsonFields } from './json-check.js';

describe('JsonFields', () => {
  const fields = JsonFields.of(
    { n: 3, f: 0.5, s: 'abc', list: [1, 2, 'x'], nested: { k: 1 } },
    'file.json',
    'SP_MODEL_INVALID',
  );

  it('returns values of the expected type', () => {
    expect(fields.number('n', { integer: true, min: 0, max: 3 })).toBe(3);
    expect(fields.string('s', /^a/)).toBe('abc');
    expect(fields.object('nested').number('k')).toBe(1);
    expect(fields.oneOf('n', [1, 3])).toBe(3);
  });

  it('names the source, the field, what was expected and what came', () => {
    expect(() => fields.number('f', { integer: true })).toThrow(
      'file.json: expected "f" to be a whole number, received 0.5',
    );
    expect(() => fields.number('n', { max: 2 })).toThrow('a finite number ≤ 2, received 3');
    expect(() => fields.numbers('list')).toThrow('expected "list[2]" to be a finite number');
    expect(() => fields.numbers('n', 2)).toThrow(
      'expected "n" to be an array of 2 values, each a finite number, received 3',
    );
    expect(() => fields.string('missing')).toThrow('received nothing');
    expect(() => fields.object('nested').string('k')).toThrow('file.json: "nested": expected');
  });

  it('throws errors with the code it was given', () => {
    expect(() => fields.string('n')).toThrow(expect.objectContaining({ code: 'SP_MODEL_INVALID' }));
  });

  it('reads an object shaped like a template, nested objects included', () => {
    const template = { n: 1, s: 'a', on: true, pair: [0, 0], inner: { k: 0.5 } };
    const value = { n: 2, s: 'b', on: false, pair: [3, 4], inner: { k: 7 }, extra: 'ignored' };
    const read = JsonFields.of(value, 'f', 'SP_BODY').like(template, new Set(['n']));
    expect(read).toEqual({ n: 2, s: 'b', on: false, pair: [3, 4], inner: { k: 7 } });
    const bad = { ...value, inner: { k: 'x' } };
    expect(() => JsonFields.of(bad, 'f', 'SP_BODY').like(template)).toThrow(
      'f: "inner": expected "k" to be a finite number, received "x"',
    );
    expect(() =>
      JsonFields.of({ ...value, n: 2.5 }, 'f', 'SP_BODY').like(template, new Set(['n'])),
    ).toThrow('expected "n" to be a whole number');
  });

  it('refuses text that is not a JSON object', () => {
    expect(() => JsonFields.parse('[1]', 'a', 'SP_BODY')).toThrow('expected a JSON object');
    expect(() => JsonFields.parse('{', 'a', 'SP_BODY')).toThrow('a: expected JSON');
  });

  it('shortens long values in messages', () => {
    expect(describeValue('x'.repeat(100))).toHaveLength(60);
    expect(describeValue([1, 2, 3])).toBe('an array of 3');
  });
});
