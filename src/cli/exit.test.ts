import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../data/idx.js';
import { SemiprivError } from '../errors.js';
import { reportFailure } from './exit.js';

function printed(error: unknown): { text: string; exitCode: number } {
  let text = '';
  const exitCode = reportFailure(error, (s) => {
    text += s;
  });
  return { text, exitCode };
}

describe('reportFailure', () => {
  it('prints the code, message and hint of a semipriv error; a bad option exits 2', () => {
    const { text, exitCode } = printed(new SemiprivError('SP_OPTION', '--port: expected 1'));
    expect(text).toContain('semipriv: error SP_OPTION: --port: expected 1\n');
    expect(text).toContain('hint: Run with --help');
    expect(exitCode).toBe(2);
  });

  it('points at the list of error codes by an absolute path that exists', async () => {
    const { text } = printed(new SemiprivError('SP_BUSY', 'too many requests'));
    const path = /all error codes: (.+)\n/.exec(text)?.[1] ?? '';
    expect(isAbsolute(path)).toBe(true);
    expect(await readFile(path, 'utf8')).toContain('| `SP_BUSY`');
  });

  it('reports a missing file the user named as SP_FILE, not as a bug', async () => {
    const missing = join(await mkdtemp(join(tmpdir(), 'semipriv-exit-')), 'none.json');
    const error = await readFile(missing).catch((e: unknown) => e);
    const { text, exitCode } = printed(error);
    expect(text).toContain(`semipriv: error SP_FILE: ${missing}: open failed (ENOENT)\n`);
    expect(text).not.toContain('SP_INTERNAL');
    expect(exitCode).toBe(1);
  });

  it('names the file asked for when its atomic write fails, not the temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'semipriv-exit-'));
    const target = join(dir, 'no-such-folder', 'scores.json');
    const error = await writeFileAtomic(target, '{}').catch((e: unknown) => e);
    expect(printed(error).text).toContain(`SP_FILE: ${target}: open failed (ENOENT)`);
  });

  it('calls any other error a bug and shows its stack', () => {
    const { text, exitCode } = printed(new TypeError('x is undefined'));
    expect(text).toContain('semipriv: unexpected error (SP_INTERNAL): TypeError: x is undefined');
    expect(exitCode).toBe(1);
  });
});
