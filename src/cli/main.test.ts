import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Runs the CLI from source, as `semipriv ARGS` would. */
function semipriv(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, SEMIPRIV_LOG_LEVEL: 'warn' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('semipriv', () => {
  it('prints the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(semipriv('--version')).toMatchObject({ status: 0, stdout: `${pkg.version}\n` });
  });

  it('names the group and its commands when a second word is wrong', () => {
    const run = semipriv('server', 'classify');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      'SP_OPTION: semipriv server has no command "classify"; expected one of train, serve\n',
    );
    expect(run.stderr).toContain('hint: Run semipriv server --help to list its commands.');
  });

  it('names the nearest command when a word looks mistyped', () => {
    const second = semipriv('server', 'sevre');
    expect(second.status).toBe(2);
    expect(second.stderr).toContain('did you mean "semipriv server serve"?');
    const first = semipriv('clinet', 'train');
    expect(first.status).toBe(2);
    expect(first.stderr).toContain('semipriv has no command "clinet"');
    expect(first.stderr).toContain('did you mean "semipriv client"?');
  });

  it("lists a group's commands when --help follows a wrong second word", () => {
    const run = semipriv('server', 'bogus', '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Commands of semipriv server:');
    expect(run.stdout).toContain('server serve');
  });
});
