import { get } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createService, errorReply, openApiFor } from './http-service.js';
import { selfSignedCertificate } from './self-signed.fixture.js';

const TOKEN = 'a-token-of-some-length';
const AUTH = { authorization: `Bearer ${TOKEN}` };

function service(maxConcurrent = 4) {
  const app = createService({ node: 'client', token: TOKEN, maxConcurrent, bodyLimit: 100 });
  app.post('/echo', async (request) => ({ bytes: (request.body as Buffer).length }));
  app.get('/boom', async () => {
    throw new Error('secret detail at /home/owner/model');
  });
  return app;
}

describe('createService', () => {
  it('answers /healthz without a token', async () => {
    const reply = await service().inject({ method: 'GET', url: '/healthz' });
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toEqual({ status: 'ok' });
  });

  it('answers 401 without a token, with a wrong one, and with another scheme', async () => {
    const app = service();
    for (const authorization of [undefined, 'Bearer wrong-token-of-a-length', `Basic ${TOKEN}`]) {
      const reply = await app.inject({
        method: 'GET',
        url: '/openapi.json',
        headers: authorization ? { authorization } : {},
      });
      expect(reply.statusCode).toBe(401);
      expect(reply.json().code).toBe('SP_AUTH');
      expect(reply.headers['www-authenticate']).toBe('Bearer');
    }
    const ok = await app.inject({ method: 'GET', url: '/openapi.json', headers: AUTH });
    expect(ok.statusCode).toBe(200);
  });

  it('logs one line per request with method, URL, status, duration and node', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const app = createService({
      node: 'client',
      token: TOKEN,
      maxConcurrent: 1,
      bodyLimit: 1,
      logger: logger.child({ node: 'client', label: 3 }),
    });
    await app.inject({ method: 'GET', url: '/healthz' });
    await app.inject({ method: 'GET', url: '/openapi.json' });
    const records = lines.map((l) => JSON.parse(l));
    expect(records).toHaveLength(2);
    expect(records[1]).toMatchObject({
      node: 'client',
      label: 3,
      msg: 'request',
      method: 'GET',
      url: '/openapi.json',
      status: 401,
    });
    expect(typeof records[1].ms).toBe('number');
    expect(JSON.stringify(records)).not.toContain(TOKEN);
  });

  it('refuses a token shorter than 16 characters at startup', () => {
    expect(() =>
      createService({ node: 'client', token: 'short', maxConcurrent: 1, bodyLimit: 1 }),
    ).toThrow('--token: expected at least 16 characters, received 5');
  });

  it('answers 413 for a body over the limit and 415 for another media type', async () => {
    const app = service();
    const big = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { ...AUTH, 'content-type': 'application/octet-stream' },
      payload: Buffer.alloc(101),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({
      code: 'SP_TOO_LARGE',
      message: 'request body too large: expected at most 100 bytes, received 101',
    });
    const fits = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { ...AUTH, 'content-type': 'application/octet-stream' },
      payload: Buffer.alloc(100),
    });
    expect(fits.json()).toEqual({ bytes: 100 });
    const json = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(json.statusCode).toBe(415);
    expect(json.json()).toEqual({
      code: 'SP_MEDIA_TYPE',
      message:
        'expected a body of type application/octet-stream or image/png, received application/json',
    });
  });

  it('hides internal errors behind SP_INTERNAL, with no detail or stack', async () => {
    const reply = await service().inject({ method: 'GET', url: '/boom', headers: AUTH });
    expect(reply.statusCode).toBe(500);
    expect(reply.json()).toEqual({
      code: 'SP_INTERNAL',
      message: "internal error; the node's log has the details",
    });
    expect(reply.body).not.toContain('secret');
  });

  it('answers unknown routes with SP_NOT_FOUND', async () => {
    const reply = await service().inject({ method: 'GET', url: '/v2/x?y=1', headers: AUTH });
    expect(reply.statusCode).toBe(404);
    expect(reply.json().message).toBe('no route GET /v2/x; see /openapi.json');
  });

  it('answers 503 while max-concurrent requests are in flight, and frees the slot', async () => {
    const app = service(1);
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    app.get('/slow', async () => {
      await gate;
      return { done: true };
    });
    const first = app.inject({ method: 'GET', url: '/slow', headers: AUTH });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await app.inject({ method: 'GET', url: '/healthz' });
    const third = await app.inject({ method: 'GET', url: '/openapi.json', headers: AUTH });
    expect(second.statusCode).toBe(200);
    expect(third.statusCode).toBe(503);
    expect(third.json().code).toBe('SP_BUSY');
    release();
    expect((await first).json()).toEqual({ done: true });
    const after = await app.inject({ method: 'GET', url: '/openapi.json', headers: AUTH });
    expect(after.statusCode).toBe(200);
  });
});

describe('createService while stopping', () => {
  it('answers SP_STOPPING on a connection kept open, after finishing the request in flight', async () => {
    const app = service();
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = (): void => undefined;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    app.get('/slow', async () => {
      entered();
      await gate;
      return { done: true };
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;

    // one connection: a request held in the handler, then a second one once the node stops
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const ended = new Promise((resolve) => socket.on('close', resolve));
    const request = (path: string): string =>
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`;
    socket.write(request('/slow'));
    await inside;
    const closed = app.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write(request('/openapi.json'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await closed;
    await ended;

    const [first, second] = received.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200/);
    expect(first).toContain('{"done":true}');
    expect(second).toMatch(/^HTTP\/1\.1 503/);
    expect(second.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(second.slice(second.indexOf('\r\n\r\n') + 4))).toEqual({
      code: 'SP_STOPPING',
      message: 'this node is stopping and takes no new requests',
    });
  });
});

describe('createService with TLS', () => {
  const tls = selfSignedCertificate();

  it.skipIf(tls === null)(
    'serves HTTPS that a caller trusting the certificate reaches',
    async () => {
      const pem = tls as { cert: Buffer; key: Buffer };
      const app = createService({
        node: 'server',
        token: TOKEN,
        maxConcurrent: 1,
        bodyLimit: 1,
        tls: pem,
      });
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      try {
        expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        const body = await new Promise<string>((resolve, reject) => {
          get(`${url}/healthz`, { ca: pem.cert }, (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => resolve(text));
          }).on('error', reject);
        });
        expect(JSON.parse(body)).toEqual({ status: 'ok' });
      } finally {
        await app.close();
      }
    },
  );
});

describe('errorReply', () => {
  it('maps Fastify request errors to codes by status', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(errorReply(tooLarge)).toEqual({
      status: 413,
      body: { code: 'SP_TOO_LARGE', message: 'request body too large' },
    });
    const bad = Object.assign(new Error('Body cannot be empty'), { statusCode: 400 });
    expect(errorReply(bad).body.code).toBe('SP_BODY');
  });
});

describe('openApiFor', () => {
  it('keeps only the operations tagged with the node', () => {
    expect(Object.keys(openApiFor('client').paths).sort()).toEqual([
      '/healthz',
      '/openapi.json',
      '/v1/info',
      '/v1/scores',
    ]);
    expect(Object.keys(openApiFor('server').paths).sort()).toEqual([
      '/healthz',
      '/openapi.json',
      '/v1/classify',
    ]);
  });

  it('refers only to components the document defines', () => {
    const doc = openApiFor('client');
    const text = JSON.stringify(doc);
    const refs = [...text.matchAll(/"\$ref":"#\/components\/(\w+)\/(\w+)"/g)];
    expect(refs.length).toBeGreaterThan(5);
    const components = doc.components as Record<string, Record<string, unknown>>;
    for (const [, group, name] of refs) expect(components[group]?.[name]).toBeDefined();
  });
});
