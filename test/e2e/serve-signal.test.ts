/**
 * A serving process stopped by a signal, as a service manager stops it: it says so, lets the
 * requests in flight finish and exits 0.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clientTrainCommand } from '../../src/cli/client-command.js';
import { datasetExportCommand } from '../../src/cli/dataset-command.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('semipriv client serve', () => {
  it('answers until SIGTERM, then says it stops, finishes and exits 0', async () => {
    const root = await mkdtemp(join(tmpdir(), 'semipriv-serve-'));
    await datasetExportCommand({ split: 'test', label: 4, count: 8, out: join(root, 'own') });
    const modelDir = join(root, 'model');
    const train = { images: join(root, 'own'), label: 4, modelDir, epochs: 1, latentDim: 4 };
    await clientTrainCommand({ ...train, backend: 'wasm' });

    const args = ['client', 'serve', '--model-dir', modelDir, '--port', '0'];
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: { ...process.env, SEMIPRIV_TOKEN: 'a-token-of-16-chars', SEMIPRIV_LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const found = /client 4 listening on (\S+)/.exec(stdout);
        if (found) resolve(found[1]);
      });
      void exited.then(() => reject(new Error(`exited early: ${stdout}`)));
    });

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain(
      'client 4 stopping on SIGTERM: finishing the requests in flight\nclient 4 stopped\n',
    );
  }, 60_000);
});
