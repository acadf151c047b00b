/**
 * Declarative command-line options: each flag is written once, with its type, default and
 * help text; parsing and `--help` both come from that one table. Flags are kebab-case and map
 * one to one to camelCase option keys (`--n-ae` → `nAe`).
 */
import { parseArgs } from 'node:util';
import { SemiprivError } from '../errors.js';

/** One flag of a command. */
export interface FlagSpec {
  /** Kebab-case flag name without dashes. */
  name: string;
  /** Value kind: a number, a string, a comma-separated list, or a switch. */
  type: 'number' | 'string' | 'list' | 'boolean';
  /** Text shown by --help. */
  description: string;
  /** Default shown by --help (the command applies its own defaults). */
  defaultText?: string;
  /** Accepted values, checked while parsing. */
  choices?: readonly string[];
}

/** A command: its name, summary and flags. */
export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  flags: readonly FlagSpec[];
  /** Extra help text shown after the flags. */
  details?: string;
  /** True for a command that takes arguments besides its flags; others refuse any. */
  takesArguments?: boolean;
}

/** Parsed flag values by camelCase key. */
export type ParsedFlags = Record<string, string | number | boolean | string[] | undefined>;

/** Converts `n-ae` to `nAe`. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The flag of an option key, for messages: `nAe` → `--n-ae`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Parses `argv` against `spec`; unknown flags and bad values are SP_OPTION errors.
 *
 * @example
 * const { flags } = parseFlags(RUN_SPEC, ['--n-ae', '100']); // flags.nAe === 100
 */
export function parseFlags(
  spec: CommandSpec,
  argv: readonly string[],
): { flags: ParsedFlags; positionals: string[]; help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const f of spec.flags)
    options[f.name] = { type: f.type === 'boolean' ? 'boolean' : 'string' };

  // asking for help is never an error, whatever else is on the line
  const ended = argv.indexOf('--');
  const before = ended < 0 ? argv : argv.slice(0, ended);
  if (before.includes('--help') || before.includes('-h')) {
    return { flags: {}, positionals: [], help: true };
  }

  // a negative value ("--epochs -1") would read as a flag of its own; joined to its flag, it
  // reaches the range check that explains it
  const valued = new Set(spec.flags.filter((f) => f.type !== 'boolean').map((f) => `--${f.name}`));
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (valued.has(argv[i]) && next !== undefined && /^-\.?\d/.test(next)) {
      args.push(`${argv[i]}=${next}`);
      i++;
    } else args.push(argv[i]);
  }

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw (
      unknownFlag(spec, message) ??
      new SemiprivError('SP_OPTION', `semipriv ${spec.name}: ${message}`)
    );
  }

  // a flag given twice would silently keep only its last value
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) {
      throw new SemiprivError(
        'SP_OPTION',
        `semipriv ${spec.name}: expected --${token.name} once, received it more than once`,
        { hint: 'Give each flag once; a list flag takes its values separated by commas.' },
      );
    }
    seen.add(token.name);
  }
  if (!spec.takesArguments && parsed.positionals.length > 0) {
    throw new SemiprivError(
      'SP_OPTION',
      `semipriv ${spec.name}: expected only flags, received "${parsed.positionals.join(' ')}"`,
    );
  }

  const flags: ParsedFlags = {};
  for (const f of spec.flags) {
    const raw = parsed.values[f.name];
    if (raw === undefined) continue;
    flags[camelCase(f.name)] = convert(spec, f, raw);
  }
  return { flags, positionals: parsed.positionals, help: false };
}

/** An unknown flag as a short message naming the closest flag, or undefined for other errors. */
function unknownFlag(spec: CommandSpec, parserMessage: string): SemiprivError | undefined {
  const given = /^Unknown option '(-{1,2}[^']+)'/.exec(parserMessage)?.[1];
  if (given === undefined) return undefined;
  const name = given.replace(/^-+/, '');
  const closest = closestName(name, [...spec.flags.map((f) => f.name), 'help']);
  const guess = closest === undefined ? '' : `; did you mean --${closest}?`;
  return new SemiprivError('SP_OPTION', `semipriv ${spec.name}: unknown flag ${given}${guess}`, {
    hint: `Run semipriv ${spec.name} --help to see its flags.`,
  });
}

/**
 * The candidate nearest to a mistyped `given`, when it is at most two letters away.
 *
 * @example
 * closestName('labelled', ['labeled', 'images']); // 'labeled'
 */
export function closestName(given: string, candidates: readonly string[]): string | undefined {
  const [closest] = candidates
    .map((candidate) => ({ candidate, distance: editDistance(given, candidate) }))
    .sort((a, b) => a.distance - b.distance);
  return closest !== undefined && closest.distance <= 2 ? closest.candidate : undefined;
}

/** Levenshtein distance: the fewest single-letter edits that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(previous[j] + 1, row[j - 1] + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length];
}

function convert(
  spec: CommandSpec,
  f: FlagSpec,
  raw: string | boolean | (string | boolean)[],
): string | number | boolean | string[] {
  if (f.type === 'boolean') return raw === true;
  const text = String(raw);
  const where = `semipriv ${spec.name} --${f.name}`;
  if (f.type === 'number') {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) {
      throw new SemiprivError('SP_OPTION', `${where}: expected a number, received "${text}"`);
    }
    return value;
  }
  const values = f.type === 'list' ? text.split(',').map((s) => s.trim()) : [text];
  for (const v of values) {
    if (f.choices && !f.choices.includes(v)) {
      throw new SemiprivError(
        'SP_OPTION',
        `${where}: expected one of ${f.choices.join(', ')}, received "${v}"`,
      );
    }
  }
  return f.type === 'list' ? values : text;
}

/** Reads a whole non-negative integer flag, with a message naming the flag. */
export function integerFlag(flags: ParsedFlags, key: string, fallback: number, min = 0): number {
  const value = flags[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new SemiprivError(
      'SP_OPTION',
      `${flagName(key)}: expected a whole number ≥ ${min}, received ${String(value)}`,
    );
  }
  return value;
}

/**
 * Reads a comma-separated list of whole numbers from `min` to `max`, naming the flag on error;
 * `fallback` when the flag is absent.
 */
export function numberList(
  flags: ParsedFlags,
  key: string,
  fallback: readonly number[],
  min: number,
  max = Infinity,
): number[] {
  const value = flags[key];
  if (value === undefined) return [...fallback];
  const texts = Array.isArray(value) ? value : [String(value)];
  return texts.map((text) => {
    const n = Number(text);
    if (text === '' || !Number.isInteger(n) || n < min || n > max) {
      const range = max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`;
      throw new SemiprivError(
        'SP_OPTION',
        `${flagName(key)}: expected whole numbers ${range} separated by commas, received "${text}"`,
      );
    }
    return n;
  });
}

/** The --help text of a command. */
export function formatHelp(spec: CommandSpec): string {
  const rows = spec.flags.map((f) => {
    const value = f.type === 'boolean' ? '' : f.type === 'list' ? ' <a,b,…>' : ' <value>';
    const left = `  --${f.name}${value}`;
    const extra = [
      f.choices ? `one of ${f.choices.join(', ')}` : '',
      f.defaultText !== undefined ? `default ${f.defaultText}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return [left, `${f.description}${extra ? ` (${extra})` : ''}`];
  });
  const width = Math.max(...rows.map(([l]) => l.length), 10) + 2;
  const lines = [
    `semipriv ${spec.name}: ${spec.summary}`,
    '',
    `Usage: ${spec.usage}`,
    '',
    'Options:',
    ...rows.map(([l, r]) => `${l.padEnd(width)}${r}`),
    `${'  --help'.padEnd(width)}Show this help`,
  ];
  if (spec.details) lines.push('', spec.details);
  return lines.join('\n');
}
