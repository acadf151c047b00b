import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../data/image-files.js';
import { initBackend } from '../engine/backend.js';
import { DEFAULT_BIBAE_OPTIONS } from '../model/bibae.js';
import { createRng } from '../random.js';
import { openApiFor, operationsOf, routesOf } from '../transport/http-service.js';
import { Client } from './client.js';
import { createClientService } from './service.js';

const TOKEN = 'client-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const TINY = { ...DEFAULT_BIBAE_OPTIONS, latentDim: 4, convChannels: [2, 4] as [number, number] };
let client: Client;

function noise(count: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: count * 784 }, () => rng.int(256));
}

function post(body: Uint8Array, type = 'application/octet-stream', maxImages = 8) {
  const app = createClientService({ client, token: TOKEN, maxImages });
  return app.inject({
    method: 'POST',
    url: '/v1/scores',
    headers: { ...AUTH, 'content-type': type },
    payload: Buffer.from(body),
  });
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  client = Client.train(noise(8, 0), 8, {
    label: 6,
    epochs: 1,
    batchSize: 8,
    seed: 0,
    model: TINY,
  });
});

afterAll(() => client.dispose());

describe('client service', () => {
  it('answers the same scores as the client object, in probe order', async () => {
    const images = noise(3, 9);
    const reply = await post(images);
    expect(reply.statusCode).toBe(200);
    const expected = client.score({ images, count: 3, height: 28, width: 28 });
    const body = reply.json();
    expect(body.label).toBe(6);
    expect(body.count).toBe(3);
    expect(Float32Array.from(body.reconstructionError)).toEqual(expected.reconstructionError);
    expect(Float32Array.from(body.discriminatorScore)).toEqual(expected.discriminatorScore);
  });

  it('scores one PNG like the same pixels sent raw', async () => {
    const pixels = noise(1, 4);
    const png = await post(await encodePng(pixels, 28, 28), 'image/png');
    const raw = await post(pixels);
    expect(png.json()).toEqual(raw.json());
  });

  it('answers 400 for a partial image, a bad PNG, a PNG of another size', async () => {
    const cases = [
      await post(new Uint8Array(785)),
      await post(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 1, 2), 'image/png'),
      await post(await encodePng(new Uint8Array(32 * 32), 32, 32), 'image/png'),
    ];
    expect(cases.map((r) => r.statusCode)).toEqual([400, 400, 400]);
    expect(cases.map((r) => r.json().code)).toEqual(['SP_SHAPE', 'SP_IMAGE_INVALID', 'SP_SHAPE']);
    expect(cases[2].json().message).toBe(
      'request body: expected 28×28 pixels (width×height), received 32×32',
    );
  });

  it('answers 413 for more images than --max-images, and for a body over the limit', async () => {
    const overCount = await post(new Uint8Array(3 * 784), 'application/octet-stream', 2);
    expect(overCount.statusCode).toBe(413);
    // a 4096-image limit allows 4096 × 784 bytes; one byte more never reaches the handler
    const overBytes = await post(new Uint8Array(4096 * 784 + 1), 'application/octet-stream', 4096);
    expect(overBytes.statusCode).toBe(413);
    expect(overBytes.json().code).toBe('SP_TOO_LARGE');
  });

  it('answers 401 to a caller without the token', async () => {
    const app = createClientService({ client, token: TOKEN });
    const reply = await app.inject({ method: 'GET', url: '/v1/info' });
    expect(reply.statusCode).toBe(401);
    expect(reply.json().code).toBe('SP_AUTH');
  });

  it('states its public facts and nothing else', async () => {
    const app = createClientService({ client, token: TOKEN });
    const reply = await app.inject({ method: 'GET', url: '/v1/info', headers: AUTH });
    expect(reply.json()).toEqual(client.info());
    expect(Object.keys(reply.json()).sort()).toEqual([
      'errorStats',
      'fingerprint',
      'height',
      'label',
      'width',
    ]);
  });

  it('describes every route it registers in its OpenAPI document, and no other', async () => {
    const app = createClientService({ client, token: TOKEN });
    await app.ready();
    const reply = await app.inject({ method: 'GET', url: '/openapi.json', headers: AUTH });
    expect(reply.json()).toEqual(openApiFor('client'));
    expect(routesOf(app).sort()).toEqual(operationsOf(reply.json()).sort());
    expect(routesOf(app)).toContain('POST /v1/scores');
  });
});
