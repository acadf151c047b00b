import { describe, expect, it } from 'vitest';
import { formatHelp, integerFlag, parseFlags, type CommandSpec } from './options.js';

const SPEC: CommandSpec = {
  name: 'demo',
  summary: 'a command to parse',
  usage: 'semipriv demo [options]',
  flags: [
    { name: 'labeled', type: 'string', description: 'Labelled images' },
    { name: 'epochs', type: 'number', description: 'Epochs' },
    { name: 'n-ae', type: 'list', description: 'Sizes' },
  ],
};

describe('parseFlags', () => {
  it('suggests the flag one or two letters away from a mistyped one', () => {
    expect(() => parseFlags(SPEC, ['--labelled', 'x'])).toThrow(
      expect.objectContaining({
        code: 'SP_OPTION',
        message: 'semipriv demo: unknown flag --labelled; did you mean --labeled?',
        hint: 'Run semipriv demo --help to see its flags.',
      }),
    );
    expect(() => parseFlags(SPEC, ['--epoch', '3'])).toThrow('did you mean --epochs?');
    expect(() => parseFlags(SPEC, ['--nae', '3'])).toThrow('did you mean --n-ae?');
  });

  it('names an unknown flag without a guess when nothing is close', () => {
    expect(() => parseFlags(SPEC, ['--learning-rate', '3'])).toThrow(
      /^semipriv demo: unknown flag --learning-rate$/,
    );
  });

  it('reads numbers and lists, and refuses a number that is not one', () => {
    const { flags } = parseFlags(SPEC, ['--epochs', '7', '--n-ae', '100, 1000']);
    expect(flags).toEqual({ epochs: 7, nAe: ['100', '1000'] });
    expect(() => parseFlags(SPEC, ['--epochs', 'ten'])).toThrow(
      'semipriv demo --epochs: expected a number, received "ten"',
    );
  });

  it('takes --help anywhere on the line, even beside a stray word or a bad value', () => {
    expect(parseFlags(SPEC, ['extra', '--help']).help).toBe(true);
    expect(parseFlags(SPEC, ['--epochs', 'ten', '-h']).help).toBe(true);
    expect(parseFlags(SPEC, ['--labelled', 'x', '--help']).help).toBe(true);
    expect(parseFlags(SPEC, ['--epochs', '--help']).help).toBe(true);
    expect(() => parseFlags(SPEC, ['extra'])).toThrow('expected only flags, received "extra"');
  });

  it('reads a negative value as the value of its flag, not as another flag', () => {
    const { flags } = parseFlags(SPEC, ['--epochs', '-1', '--n-ae', '-5,3']);
    expect(flags).toMatchObject({ epochs: -1, nAe: ['-5', '3'] });
    expect(() => integerFlag(flags, 'epochs', 50, 1)).toThrow(
      '--epochs: expected a whole number ≥ 1, received -1',
    );
  });

  it('refuses a flag given twice instead of keeping its last value', () => {
    expect(() => parseFlags(SPEC, ['--epochs', '1', '--epochs', '2'])).toThrow(
      'semipriv demo: expected --epochs once, received it more than once',
    );
    expect(() => parseFlags(SPEC, ['--n-ae', '1', '--n-ae=2'])).toThrow('expected --n-ae once');
  });

  it('lists every flag in the help text', () => {
    const help = formatHelp(SPEC);
    for (const name of ['--labeled <value>', '--epochs <value>', '--n-ae <a,b,…>', '--help']) {
      expect(help).toContain(name);
    }
  });
});
