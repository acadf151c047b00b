import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, fingerprint } from '../client/client.js';
import { createClientService } from '../client/service.js';
import { loadDataset } from '../data/load.js';
import { subset } from '../data/subset.js';
import type { ImageSet } from '../data/types.js';
import { initBackend } from '../engine/backend.js';
import { DEFAULT_BIBAE_OPTIONS } from '../model/bibae.js';
import { DEFAULT_CLASSIFIER_OPTIONS } from '../model/classifier.js';
import { InProcessEndpoint } from '../transport/in-process.js';
import { openApiFor, operationsOf, routesOf, type Service } from '../transport/http-service.js';
import { loadServerModel, saveServerModel, type ServerManifest } from './model-dir.js';
import { Server, type ServerModel } from './server.js';
import { connectClients, createServerService } from './service.js';

const CLIENT_TOKEN = 'client-token-0123456789';
const TOKEN = 'server-token-0123456789';
const SHAPE = { height: 28, width: 28 };
const ACCESS = { token: CLIENT_TOKEN, timeoutMs: 3000, backoffMs: 10 };
const TINY = { ...DEFAULT_BIBAE_OPTIONS, latentDim: 8, convChannels: [4, 8] as [number, number] };
const CLASSIFIER = { ...DEFAULT_CLASSIFIER_OPTIONS, hiddenChannels: 4, epochs: 20, minSteps: 0 };

const clients: Client[] = [];
const urls: string[] = [];
const apps: Service[] = [];
const stubs: HttpServer[] = [];
let train: ImageSet;
let test: ImageSet;
let dir: string;
let manifest: ServerManifest;
let model: ServerModel;

/** The first `n` images of each label in `labels`, from `from` on. */
function firstOf(set: ImageSet, labels: number[], n: number, from = 0): ImageSet {
  const picked: number[] = [];
  for (const l of labels) {
    const of = [];
    for (let i = from; i < set.count && of.length < n; i++) if (set.labels[i] === l) of.push(i);
    picked.push(...of);
  }
  return subset(set, picked);
}

async function serve(client: Client): Promise<{ app: Service; url: string }> {
  const app = createClientService({ client, token: CLIENT_TOKEN });
  apps.push(app);
  return { app, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
}

function classify(app: Service, set: ImageSet) {
  return app.inject({
    method: 'POST',
    url: '/v1/classify',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/octet-stream' },
    payload: Buffer.from(set.images),
  });
}

/** A server service over the given client URLs, holding the three-client model. */
async function serverApp(clientUrls: string[], timeoutMs = 3000): Promise<Service> {
  const connected = await connectClients(
    clientUrls,
    { ...ACCESS, timeoutMs },
    SHAPE,
    manifest.clients,
  );
  const server = new Server(connected.map((c) => c.endpoint));
  server.load(model);
  return createServerService({ server, shape: SHAPE, token: TOKEN });
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  ({ train, test } = await loadDataset('mnist'));
  for (const label of [0, 1, 2, 3]) {
    const own = firstOf(train, [label], 20);
    const options = { label, epochs: 1, batchSize: 10, seed: 0, model: TINY };
    clients.push(Client.train(own.images, own.count, options));
    urls.push((await serve(clients[label])).url);
  }

  // the server, trained over HTTP on clients 0–2 and saved
  const connected = await connectClients(urls.slice(0, 3), ACCESS, SHAPE);
  const server = new Server(connected.map((c) => c.endpoint));
  const trained = await server.train(firstOf(train, [0, 1, 2], 30, 1000), {
    classifier: CLASSIFIER,
    seed: 0,
  });
  dir = join(await mkdtemp(join(tmpdir(), 'semipriv-server-')), 'model');
  await saveServerModel(
    dir,
    trained,
    connected.map((c) => c.info),
    { images: 90, seed: 0 },
  );
  server.dispose();
  ({ model, manifest } = await loadServerModel(dir));
});

afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await Promise.all(stubs.map((s) => new Promise((r) => s.close(r))));
  for (const c of clients) c.dispose();
});

describe('server service', () => {
  it('trains over HTTP to the very classifier an in-process server trains', async () => {
    const local = new Server(clients.slice(0, 3).map((c) => new InProcessEndpoint(c)));
    const trained = await local.train(firstOf(train, [0, 1, 2], 30, 1000), {
      classifier: CLASSIFIER,
      seed: 0,
    });
    expect(fingerprint(trained.classifier.exportWeights())).toBe(
      fingerprint(model.classifier.exportWeights()),
    );
    local.dispose();
  });

  it('classifies over HTTP exactly as the in-process path does', async () => {
    const probes = firstOf(test, [0, 1, 2], 10);
    const reply = await classify(await serverApp(urls.slice(0, 3)), probes);
    expect(reply.statusCode).toBe(200);
    const { predictions } = reply.json();

    const local = new Server(clients.slice(0, 3).map((c) => new InProcessEndpoint(c)));
    local.load(model);
    const expected = await local.classify(probes);
    expect(predictions.map((p: { label: number }) => p.label)).toEqual(
      Array.from(expected.predicted),
    );
    expect(Object.keys(predictions[0].probabilities)).toEqual(['0', '1', '2']);
    expect(predictions[4].probabilities['1']).toBe(expected.probabilities[4 * 3 + 1]);
    // one epoch of tiny models is weak, but far better than a third right
    const right = predictions.filter(
      (p: { label: number }, i: number) => p.label === probes.labels[i],
    );
    expect(right.length).toBeGreaterThan(15);
  });

  it('answers 401 without its token and 400 for a malformed body', async () => {
    const app = await serverApp(urls.slice(0, 3));
    const noToken = await app.inject({ method: 'POST', url: '/v1/classify', payload: 'x' });
    expect(noToken.statusCode).toBe(401);
    const bad = await classify(app, { ...test, images: new Uint8Array(1000) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('SP_SHAPE');
  });

  it('answers 503 naming a client that stopped', async () => {
    const extra = await serve(clients[2]);
    const app = await serverApp([urls[0], urls[1], extra.url]);
    await extra.app.close();
    const reply = await classify(app, firstOf(test, [0], 2));
    expect(reply.statusCode).toBe(503);
    expect(reply.json().code).toBe('SP_CLIENT_UNREACHABLE');
    expect(reply.json().message).toContain(`client 2 at ${extra.url}: /v1/scores failed`);
  });

  it('answers 502 naming a client that answers garbage', async () => {
    const info = JSON.stringify(clients[1].info());
    const stub = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url === '/v1/info' ? info : '{"label":1,"count":2,"reconstructionError":[1]}');
    });
    stubs.push(stub);
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
    const reply = await classify(await serverApp([urls[0], url, urls[2]]), firstOf(test, [0], 2));
    expect(reply.statusCode).toBe(502);
    expect(reply.json()).toEqual({
      code: 'SP_CLIENT_BAD_REPLY',
      message:
        `client 1 at ${url}: /v1/scores: expected "reconstructionError" to be an array of 2 ` +
        'values, each a finite number ≥ 0, received an array of 1',
    });
  });

  it('refuses to start with a client whose model is not the one it was trained with', async () => {
    const swapped = [urls[0], urls[1], urls[3]];
    await expect(serverApp(swapped)).rejects.toMatchObject({
      code: 'SP_CLIENT_MISMATCH',
      message: expect.stringContaining(
        `client 3 at ${urls[3]}: the server model knows no client 3`,
      ),
    });
    const record = manifest.clients.map((c) =>
      c.label === 1 ? { ...c, fingerprint: 'e'.repeat(64) } : c,
    );
    await expect(connectClients(urls.slice(0, 3), ACCESS, SHAPE, record)).rejects.toThrow(
      `client 1 at ${urls[1]}: expected fingerprint eeeeeeeeeeee…`,
    );
  });

  it('says to fix --clients when a label is missing or served twice, not to retrain', async () => {
    const fixUrls = expect.stringContaining('Pass each client once in --clients') as unknown;
    await expect(serverApp([urls[0], urls[1]])).rejects.toMatchObject({
      message: expect.stringContaining('needs client 2, and no URL in --clients serves it'),
      hint: fixUrls,
    });
    await expect(serverApp([urls[0], urls[1], urls[1]])).rejects.toMatchObject({
      message: expect.stringContaining('both report label 1'),
      hint: fixUrls,
    });
  });

  it('takes a client that joins later by retraining only the server', async () => {
    const before = await Promise.all(urls.map((u) => connectClients([u], ACCESS, SHAPE)));
    const connected = await connectClients(urls, ACCESS, SHAPE);
    const server = new Server(connected.map((c) => c.endpoint));
    const labelled = firstOf(train, [0, 1, 2, 3], 30, 1000);
    const grown = await server.train(labelled, { classifier: CLASSIFIER, seed: 0 });
    expect(grown.labels).toEqual([0, 1, 2, 3]);

    // the three first clients answer with the same models as before
    const grownDir = join(await mkdtemp(join(tmpdir(), 'semipriv-server-')), 'model');
    const saved = await saveServerModel(
      grownDir,
      grown,
      connected.map((c) => c.info),
      {
        images: labelled.count,
        seed: 0,
      },
    );
    expect(saved.clients.slice(0, 3)).toEqual(manifest.clients);
    expect(saved.clients.map((c) => c.fingerprint)).toEqual(
      before.map((b) => b[0].info.fingerprint),
    );

    // and the new class is now predicted
    const { predicted } = await server.classify(firstOf(test, [3], 10));
    expect(Array.from(predicted).filter((l) => l === 3).length).toBeGreaterThan(5);
    server.dispose();
  });

  it('describes every route it registers in its OpenAPI document, and no other', async () => {
    const app = await serverApp(urls.slice(0, 3));
    await app.ready();
    expect(routesOf(app).sort()).toEqual(operationsOf(openApiFor('server')).sort());
  });
});
