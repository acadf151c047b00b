/**
 * An experiment stopped by Ctrl-C while the server classifier trains: the signal is served
 * between epochs, the run says what it kept, leaves no half-written file and exits 130.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('semipriv experiment stopped by SIGINT', () => {
  it('stops during classifier training, keeping the scored clients', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'semipriv-stop-')), 'grid');
    // the batch minimum raises 1 epoch on 100 labelled images to 800: minutes of training
    const args = ['experiment', '--dataset', 'mnist', '--n-ae', '20', '--n-classifier', '100'];
    args.push('--seeds', '0', '--epochs', '1', '--classifier-epochs', '1', '--test-limit', '100');
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args, '--out', out], {
      env: { ...process.env, SEMIPRIV_LOG_LEVEL: 'warn' },
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('classifier: scheme')) resolve();
      });
      void exited.then(() => reject(new Error(`exited before the classifier: ${stderr}`)));
    });

    // a few epochs in, then Ctrl-C
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain(
      `stopped on SIGINT: 0 cells and every client that finished training are saved in ${out}`,
    );
    const files = await readdir(out, { recursive: true });
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files).toContain(join('client-sets', 'mnist-nae20-seed0.json'));
    expect(files).not.toContain('cells');
    // the folder is given back for the next run
    expect(files).not.toContain('.semipriv-lock');
  });
});
