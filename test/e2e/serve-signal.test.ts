/**
 * A serving process stopped by a signal, as a service manager stops it: it says so, lets the
 * requests in flight finish and exits 0; a second signal ends it at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientTrainCommand } from '../../src/cli/client-command.js';
import { datasetExportCommand } from '../../src/cli/dataset-command.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TOKEN = 'a-token-of-16-chars';
const PROBES = 64;
const children: ChildProcess[] = [];
let modelDir: string;

/** A started `client serve`: its URL, its stdout so far, and how it exited. */
interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function serve(): Promise<Served> {
  const args = ['client', 'serve', '--model-dir', modelDir, '--port', '0'];
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...process.env, SEMIPRIV_TOKEN: TOKEN, SEMIPRIV_LOG_LEVEL: 'warn' },
  });
  children.push(child);
  let stdout = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /client 4 listening on (\S+)/.exec(stdout);
      if (found) resolve(found[1]);
    });
    void exited.then(() => reject(new Error(`exited early: ${stdout}`)));
  });
  return { child, url, stdout: () => stdout, exited };
}

/** Starts POST /v1/scores and sends half its body; `finish` sends the rest. */
function halfSentScores(url: string): { finish: () => void; reply: Promise<IncomingMessage> } {
  const body = Buffer.alloc(PROBES * 28 * 28, 90);
  let sent: ReturnType<typeof request> | undefined;
  const reply = new Promise<IncomingMessage>((resolve, reject) => {
    sent = request(`${url}/v1/scores`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/octet-stream',
        'content-length': body.length,
      },
    });
    sent.on('response', resolve);
    sent.on('error', reject);
    sent.write(body.subarray(0, body.length / 2));
  });
  return { finish: () => sent?.end(body.subarray(body.length / 2)), reply };
}

async function readBody(message: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of message) text += String(chunk);
  return text;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), 'semipriv-serve-'));
  await datasetExportCommand({ split: 'test', label: 4, count: 8, out: join(root, 'own') });
  modelDir = join(root, 'model');
  const train = { images: join(root, 'own'), label: 4, modelDir, epochs: 1, latentDim: 4 };
  await clientTrainCommand({ ...train, backend: 'wasm' });
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('semipriv client serve, stopped by a signal', () => {
  it('finishes a request in flight, says it stopped, and exits 0', async () => {
    const served = await serve();
    const { finish, reply } = halfSentScores(served.url);
    await pause(300);
    served.child.kill('SIGTERM');
    await pause(300);
    expect(served.stdout()).toContain('client 4 stopping on SIGTERM');
    expect(served.stdout()).not.toContain('client 4 stopped');

    finish();
    const answer = await reply;
    expect(answer.statusCode).toBe(200);
    const scores = JSON.parse(await readBody(answer)) as { reconstructionError: number[] };
    expect(scores.reconstructionError).toHaveLength(PROBES);
    expect(await served.exited).toEqual({ code: 0, signal: null });
    expect(served.stdout()).toContain(
      'client 4 stopping on SIGTERM: finishing the requests in flight\nclient 4 stopped\n',
    );
  });

  it('ends at once on a second signal while a request is still in flight', async () => {
    const served = await serve();
    const { reply } = halfSentScores(served.url);
    reply.catch(() => undefined);
    await pause(300);
    served.child.kill('SIGTERM');
    await pause(300);
    served.child.kill('SIGINT');
    expect(await served.exited).toEqual({ code: null, signal: 'SIGINT' });
    expect(served.stdout()).not.toContain('client 4 stopped');
  });
});
