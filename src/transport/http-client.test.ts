import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpEndpoint, normaliseUrl } from './http-client.js';
import { selfSignedCertificate } from './self-signed.fixture.js';

const FINGERPRINT = 'a'.repeat(64);
const INFO = {
  label: 2,
  height: 2,
  width: 2,
  fingerprint: FINGERPRINT,
  errorStats: { mean: 0, std: 1 },
};
const OPTIONS = { token: 'token-of-sixteen-chars', timeoutMs: 2000, backoffMs: 10 };
const tls = selfSignedCertificate();

interface Reply {
  status?: number;
  body: unknown;
  delayMs?: number;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A loopback server answering each request with `handle`; counts what it received. */
async function stub(handle: (path: string, body: Buffer, n: number) => Reply) {
  const seen: { path: string; images: number; auth?: string }[] = [];
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    seen.push({ path: req.url ?? '', images: body.length / 4, auth: req.headers.authorization });
    const reply = handle(req.url ?? '', body, seen.length);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
    res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
  };
  const server = createServer((req, res) => void answer(req, res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen };
}

/** Scores whose error is the probe's first pixel, so order and split can be checked. */
function echoScores(body: Buffer): Reply {
  const count = body.length / 4;
  const errors = Array.from({ length: count }, (_, i) => body[i * 4]);
  return {
    body: {
      label: 2,
      count,
      reconstructionError: errors,
      discriminatorScore: errors.map(() => 0.5),
    },
  };
}

function probes(count: number) {
  const images = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) images[i * 4] = i + 1;
  return { images, count, height: 2, width: 2 };
}

describe('HttpEndpoint', () => {
  it('learns the label on connect and sends the bearer token', async () => {
    const { url, seen } = await stub(() => ({ body: INFO }));
    const { endpoint, info } = await HttpEndpoint.connect(`${url}/`, OPTIONS);
    expect(endpoint.label).toBe(2);
    expect(info).toEqual(INFO);
    expect(seen[0]).toMatchObject({ path: '/v1/info', auth: 'Bearer token-of-sixteen-chars' });
  });

  it('splits a large batch and joins the scores in order', async () => {
    const { url, seen } = await stub((_, body) => echoScores(body));
    const endpoint = new HttpEndpoint(url, 2, { ...OPTIONS, maxBatch: 2 });
    const scores = await endpoint.score(probes(5));
    expect(Array.from(scores.reconstructionError)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.map((s) => s.images)).toEqual([2, 2, 1]);
  });

  it('retries a 503 after a back-off and then succeeds', async () => {
    const { url, seen } = await stub((_, body, n) =>
      n === 1 ? { status: 503, body: { code: 'SP_BUSY', message: 'busy' } } : echoScores(body),
    );
    const scores = await new HttpEndpoint(url, 2, OPTIONS).score(probes(1));
    expect(Array.from(scores.reconstructionError)).toEqual([1]);
    expect(seen).toHaveLength(2);
  });

  it('gives up on a closed port after its tries, naming the client', async () => {
    const { url } = await stub(() => ({ body: INFO }));
    await new Promise((r) => servers.pop()?.close(r));
    const endpoint = new HttpEndpoint(url, 2, OPTIONS);
    await expect(endpoint.score(probes(1))).rejects.toMatchObject({
      code: 'SP_CLIENT_UNREACHABLE',
      status: 503,
      message: `client 2 at ${url}: /v1/scores failed on all 3 attempts: ECONNREFUSED`,
    });
    const once = new HttpEndpoint(url, 2, { ...OPTIONS, attempts: 1 });
    await expect(once.score(probes(1))).rejects.toThrow(
      `client 2 at ${url}: /v1/scores failed on its only attempt: ECONNREFUSED`,
    );
  });

  it('answers a slow client with 503 within the timeout', async () => {
    const { url } = await stub((_, body) => ({ ...echoScores(body), delayMs: 1000 }));
    const started = Date.now();
    const endpoint = new HttpEndpoint(url, 2, { ...OPTIONS, timeoutMs: 200 });
    await expect(endpoint.score(probes(1))).rejects.toThrow(
      `client 2 at ${url}: /v1/scores failed within the 200 ms allowed (1 attempt): no answer within 200 ms`,
    );
    expect(Date.now() - started).toBeLessThan(600);
  });

  it('refuses garbage at once with 502, without retrying', async () => {
    const { url, seen } = await stub(() => ({ body: '<html>oops</html>' }));
    await expect(new HttpEndpoint(url, 2, OPTIONS).score(probes(1))).rejects.toMatchObject({
      code: 'SP_CLIENT_BAD_REPLY',
      status: 502,
      message: `client 2 at ${url}: /v1/scores: expected JSON, received "<html>oops</html>"`,
    });
    expect(seen).toHaveLength(1);
  });

  it('reports a refused token as a bad reply, with the client’s code', async () => {
    const { url, seen } = await stub(() => ({
      status: 401,
      body: { code: 'SP_AUTH', message: 'wrong token' },
    }));
    await expect(new HttpEndpoint(url, 2, OPTIONS).info()).rejects.toThrow(
      `client 2 at ${url}: /v1/info answered 401 (SP_AUTH: wrong token)`,
    );
    expect(seen).toHaveLength(1);
    await expect(new HttpEndpoint(url, 2, OPTIONS).info()).rejects.toMatchObject({
      hint: expect.stringContaining('--client-token or SEMIPRIV_CLIENT_TOKEN') as unknown,
    });
  });

  it.skipIf(tls === null)(
    'gives up at once on a certificate it does not trust, saying how to trust it',
    async () => {
      const server = createHttpsServer(tls ?? {}, (_, res) => res.end('{}'));
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      // retried, it would end as 'failed on all 3 attempts'
      const endpoint = new HttpEndpoint(url, 2, OPTIONS);
      await expect(endpoint.info()).rejects.toMatchObject({
        code: 'SP_CLIENT_UNREACHABLE',
        message: `client 2 at ${url}: /v1/info DEPTH_ZERO_SELF_SIGNED_CERT`,
        hint: expect.stringContaining('NODE_EXTRA_CA_CERTS') as unknown,
      });
    },
  );

  it('refuses scores from a client whose fingerprint changed', async () => {
    const other = { ...INFO, fingerprint: 'b'.repeat(64) };
    const { url } = await stub((path, body) =>
      path === '/v1/info' ? { body: other } : echoScores(body),
    );
    const endpoint = new HttpEndpoint(url, 2, { ...OPTIONS, fingerprint: FINGERPRINT });
    await expect(endpoint.score(probes(1))).rejects.toMatchObject({
      code: 'SP_CLIENT_MISMATCH',
      message:
        `client 2 at ${url}: expected label 2 with fingerprint aaaaaaaaaaaa…, ` +
        'received label 2 with bbbbbbbbbbbb…',
    });
  });
});

describe('normaliseUrl', () => {
  it('drops a trailing slash and refuses other protocols', () => {
    expect(normaliseUrl('http://127.0.0.1:7000/')).toBe('http://127.0.0.1:7000');
    expect(() => normaliseUrl('ftp://127.0.0.1')).toThrow('expected an http or https URL');
    expect(() => normaliseUrl('nope')).toThrow('expected a client URL like http://host:port');
  });
});
