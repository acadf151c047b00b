/**
 * Checked reads of JSON that came from outside: a manifest on disk, a scores file, a client's
 * answer. Each read either returns a value of the expected type or throws a coded error that
 * names where the value came from, the field, what was expected and what was received.
 */
import { SemiprivError, type ErrorCode } from './errors.js';

/** Bounds for {@link JsonFields.number}. */
export interface NumberRule {
  /** Require a whole number. */
  integer?: boolean;
  min?: number;
  max?: number;
}

/**
 * The fields of one JSON object, read with checks.
 *
 * @example
 * const manifest = JsonFields.parse(text, 'model/manifest.json', 'SP_MODEL_INVALID');
 * const label = manifest.number('label', { integer: true, min: 0, max: 255 });
 */
export class JsonFields {
  /** Where the object came from, for messages (a file name, or "client 3 at URL"). */
  readonly where: string;
  /** The code of every error these reads throw. */
  readonly code: ErrorCode;
  private readonly value: Readonly<Record<string, unknown>>;

  private constructor(value: Record<string, unknown>, where: string, code: ErrorCode) {
    this.value = value;
    this.where = where;
    this.code = code;
  }

  /** Parses `text` as JSON that must be an object. */
  static parse(text: string, where: string, code: ErrorCode): JsonFields {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SemiprivError(code, `${where}: expected JSON, received text that fails: ${reason}`);
    }
    return JsonFields.of(value, where, code);
  }

  /** Wraps an already parsed value that must be an object. */
  static of(value: unknown, where: string, code: ErrorCode): JsonFields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SemiprivError(
        code,
        `${where}: expected a JSON object, received ${describe(value)}`,
      );
    }
    return new JsonFields(value as Record<string, unknown>, where, code);
  }

  /** True when the object has `key`. */
  has(key: string): boolean {
    return Object.hasOwn(this.value, key);
  }

  /** The object's keys, in order. */
  keys(): string[] {
    return Object.keys(this.value);
  }

  /** The raw value of `key`, unchecked. */
  raw(key: string): unknown {
    return this.value[key];
  }

  /** A finite number, optionally whole and bounded. */
  number(key: string, rule: NumberRule = {}): number {
    const v = this.value[key];
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (!rule.integer || Number.isInteger(v)) &&
      (rule.min === undefined || v >= rule.min) &&
      (rule.max === undefined || v <= rule.max);
    if (!ok) throw this.fail(key, numberText(rule), v);
    return v;
  }

  /** A string, optionally matching `pattern`. */
  string(key: string, pattern?: RegExp): string {
    const v = this.value[key];
    if (typeof v !== 'string' || (pattern && !pattern.test(v))) {
      throw this.fail(key, pattern ? `a string matching ${String(pattern)}` : 'a string', v);
    }
    return v;
  }

  /** One of a fixed set of values. */
  oneOf<T extends string | number | boolean>(key: string, choices: readonly T[]): T {
    const v = this.value[key];
    const found = choices.find((c) => c === v);
    if (found === undefined) throw this.fail(key, `one of ${choices.join(', ')}`, v);
    return found;
  }

  /** An array of finite numbers, optionally of a given length and range. */
  numbers(key: string, length?: number, rule: NumberRule = {}): number[] {
    const v = this.value[key];
    const what = `an array of ${length ?? 'any number of'} values, each ${numberText(rule)}`;
    if (!Array.isArray(v) || (length !== undefined && v.length !== length)) {
      throw this.fail(key, what, v);
    }
    const bad = v.findIndex(
      (x) =>
        typeof x !== 'number' ||
        !Number.isFinite(x) ||
        (rule.integer === true && !Number.isInteger(x)) ||
        (rule.min !== undefined && x < rule.min) ||
        (rule.max !== undefined && x > rule.max),
    );
    if (bad >= 0) throw this.fail(`${key}[${bad}]`, numberText(rule), v[bad]);
    return v as number[];
  }

  /** A nested object. */
  object(key: string): JsonFields {
    return JsonFields.of(this.value[key], `${this.where}: "${key}"`, this.code);
  }

  /** An array of objects. */
  objects(key: string): JsonFields[] {
    const v = this.value[key];
    if (!Array.isArray(v)) throw this.fail(key, 'an array of objects', v);
    return v.map((item, i) => JsonFields.of(item, `${this.where}: "${key}"[${i}]`, this.code));
  }

  /**
   * An object with the keys and value types of `template`, nested objects included: for
   * options whose full list lives in a defaults object. Keys in `whole` must be whole numbers.
   */
  like(template: object, whole: ReadonlySet<string> = new Set()): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, example] of Object.entries(template)) {
      if (typeof example === 'number') out[key] = this.number(key, { integer: whole.has(key) });
      else if (typeof example === 'string') out[key] = this.string(key);
      else if (typeof example === 'boolean') out[key] = this.oneOf(key, [true, false]);
      else if (Array.isArray(example)) out[key] = this.numbers(key, example.length);
      else if (typeof example === 'object' && example !== null) {
        out[key] = this.object(key).like(example, whole);
      } else throw this.fail(key, `a value like ${describe(example)}`, this.value[key]);
    }
    return out;
  }

  private fail(key: string, expected: string, received: unknown): SemiprivError {
    return new SemiprivError(
      this.code,
      `${this.where}: expected "${key}" to be ${expected}, received ${describe(received)}`,
    );
  }
}

function numberText(rule: NumberRule): string {
  const kind = rule.integer ? 'a whole number' : 'a finite number';
  const bounds = [
    rule.min !== undefined ? `≥ ${rule.min}` : '',
    rule.max !== undefined ? `≤ ${rule.max}` : '',
  ].filter(Boolean);
  return bounds.length ? `${kind} ${bounds.join(' and ')}` : kind;
}

/** A short description of a received value, never more than about 60 characters. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
