import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createService } from '../transport/http-service.js';
import { clientServeCommand } from './client-command.js';
import { serverServeCommand } from './server-command.js';
import { clientTokens, listenUntilSignal, serveSettings } from './service-flags.js';

const TOKEN = 't'.repeat(16);
const DEFAULTS = { port: 7070, maxConcurrent: 16 };

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('clientTokens', () => {
  it('gives every client the one token, or each its own', () => {
    expect(clientTokens({ clientToken: ['t'.repeat(16)] }, 3)).toEqual(
      Array(3).fill('t'.repeat(16)),
    );
    expect(clientTokens({ clientToken: ['a', 'b'] }, 2)).toEqual(['a', 'b']);
  });

  it('reads SEMIPRIV_CLIENT_TOKEN when the flag is absent, comma-separated', () => {
    vi.stubEnv('SEMIPRIV_CLIENT_TOKEN', 'first,second');
    expect(clientTokens({}, 2)).toEqual(['first', 'second']);
  });

  it('names both places a token can come from when the count is wrong', () => {
    vi.stubEnv('SEMIPRIV_CLIENT_TOKEN', '');
    expect(() => clientTokens({}, 2)).toThrow(
      '--client-token or SEMIPRIV_CLIENT_TOKEN: expected one token, or one per client (2), received 0',
    );
    expect(() => clientTokens({ clientToken: ['a', 'b', 'c'] }, 2)).toThrow(/received 3$/);
  });
});

describe('serveSettings', () => {
  it('fills in the defaults of an unset flag', async () => {
    await expect(serveSettings({ token: TOKEN }, DEFAULTS)).resolves.toEqual({
      token: TOKEN,
      port: 7070,
      tls: undefined,
      maxImages: 4096,
      maxConcurrent: 16,
    });
  });

  it('rejects a short token, a port past 65535 and a zero image limit', async () => {
    await expect(serveSettings({ token: 'short' }, DEFAULTS)).rejects.toThrow(
      '--token: expected at least 16 characters, received 5',
    );
    await expect(serveSettings({ token: TOKEN, port: 70_000 }, DEFAULTS)).rejects.toThrow(
      '--port: expected at most 65535, received 70000',
    );
    await expect(serveSettings({ token: TOKEN, maxImages: 0 }, DEFAULTS)).rejects.toThrow(
      '--max-images: expected a whole number ≥ 1, received 0',
    );
  });
});

describe('serveSettings with TLS files', () => {
  it('refuses a key passed where the certificate belongs, before any model loads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'semipriv-tls-'));
    const key = join(dir, 'key.pem');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await writeFile(key, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const flags = { token: TOKEN, tlsCert: key, tlsKey: key };
    await expect(serveSettings(flags, DEFAULTS)).rejects.toMatchObject({
      code: 'SP_OPTION',
      message: expect.stringContaining(
        `--tls-cert ${key} with --tls-key ${key}: not a usable`,
      ) as unknown,
      hint: expect.stringContaining('PEM certificate to --tls-cert') as unknown,
    });
  });
});

describe('serving commands', () => {
  // the model folder does not exist: only a check made before loading it can answer
  const missing = '/nonexistent/semipriv-model';

  it('client serve rejects a bad flag before it loads the model', async () => {
    await expect(clientServeCommand({ modelDir: missing, token: 'short' })).rejects.toThrow(
      '--token: expected at least 16 characters',
    );
  });

  it('server serve rejects a wrong client-token count before it loads the model', async () => {
    const flags = {
      modelDir: missing,
      clients: ['http://127.0.0.1:1'],
      clientToken: ['a', 'b'],
      token: TOKEN,
    };
    await expect(serverServeCommand(flags)).rejects.toThrow('one per client (1), received 2');
  });
});

describe('listenUntilSignal', () => {
  it('says to pick another port when the port is taken', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const app = createService({ node: 'client', token: TOKEN, maxConcurrent: 1, bodyLimit: 10 });
    try {
      await expect(listenUntilSignal(app, {}, port, 'client 0')).rejects.toMatchObject({
        message: `cannot listen on 127.0.0.1 port ${port}: EADDRINUSE`,
        hint: expect.stringContaining('another --port') as unknown,
      });
    } finally {
      await app.close();
      holder.close();
    }
  });
});
