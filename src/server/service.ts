/**
 * The server as an HTTP service: classifies images by asking every client for scores over
 * HTTP, through the same {@link Server} the one-machine run uses. Also how the server finds
 * its clients: each URL is asked for its facts, and the answers are checked against each
 * other and against the server model's record before any image is sent.
 */
import type { ImageShape } from '../data/image-files.js';
import { SemiprivError } from '../errors.js';
import type { Logger } from '../log.js';
import { HttpEndpoint, normaliseUrl, type HttpEndpointOptions } from '../transport/http-client.js';
import { bodyLimit, decodeImageBody, DEFAULT_MAX_IMAGES } from '../transport/http-codec.js';
import { createService, type Service } from '../transport/http-service.js';
import type { ClientInfo } from '../transport/types.js';
import type { ClientRecord } from './model-dir.js';
import type { Server } from './server.js';

/** One image's answer from `POST /v1/classify`. */
export interface Prediction {
  label: number;
  /** Probability per client label, keyed by the label as a string. */
  probabilities: Record<string, number>;
}

/** Options of {@link createServerService}. */
export interface ServerServiceOptions {
  /** A server with its model loaded and its client endpoints. */
  server: Server;
  /** Shape of the images the model classifies. */
  shape: ImageShape;
  /** Bearer token callers must send. */
  token: string;
  /** Most images per request (default 4096). */
  maxImages?: number;
  /** Requests handled at once (default 4). */
  maxConcurrent?: number;
  /** PEM certificate and key, to serve HTTPS. */
  tls?: { cert: Uint8Array; key: Uint8Array };
  logger?: Logger;
}

/**
 * The server's Fastify app: `POST /v1/classify`, `/healthz`, `/openapi.json`.
 *
 * @example
 * const server = new Server(endpoints);
 * server.load(model);
 * const app = createServerService({ server, shape: { height: 28, width: 28 }, token });
 * await app.listen({ host: '127.0.0.1', port: 8080 });
 */
export function createServerService(options: ServerServiceOptions): Service {
  const { server, shape } = options;
  const maxImages = options.maxImages ?? DEFAULT_MAX_IMAGES;
  const app = createService({
    node: 'server',
    token: options.token,
    maxConcurrent: options.maxConcurrent ?? 4,
    bodyLimit: bodyLimit(shape, maxImages),
    tls: options.tls,
    logger: options.logger,
  });

  app.post('/v1/classify', async (request): Promise<{ predictions: Prediction[] }> => {
    const contentType = request.headers['content-type'];
    const probes = await decodeImageBody(request.body, contentType, shape, maxImages);
    const { predicted, probabilities } = await server.classify(probes);
    const labels = server.labels;
    const predictions = Array.from(predicted, (label, i) => ({
      label,
      probabilities: Object.fromEntries(
        labels.map((l, j) => [String(l), probabilities[i * labels.length + j]]),
      ),
    }));
    return { predictions };
  });
  return app;
}

/** A client the server reached, with the facts it stated. */
export interface ConnectedClient {
  endpoint: HttpEndpoint;
  info: ClientInfo;
}

/**
 * Reaches every client URL and checks their facts: labels and fingerprints distinct, image
 * shapes equal to `shape`, and, given the server model's `record`, exactly the recorded labels
 * with the recorded fingerprints. Each endpoint returned checks the client's fingerprint again
 * on every score call.
 *
 * @param options - The same for every client, or per client from its normalised URL.
 *
 * @example
 * const clients = await connectClients(urls, { token }, { height: 28, width: 28 });
 */
export async function connectClients(
  urls: readonly string[],
  options: HttpEndpointOptions | ((url: string) => HttpEndpointOptions),
  shape: ImageShape,
  record?: readonly ClientRecord[],
): Promise<ConnectedClient[]> {
  const optionsFor = typeof options === 'function' ? options : () => options;
  const found = await Promise.all(
    urls.map(normaliseUrl).map((url) => HttpEndpoint.connect(url, optionsFor(url))),
  );

  // the clients among themselves: one per label, one model each, the server's image shape
  const seen = new Map<string, HttpEndpoint>();
  for (const { endpoint, info } of found) {
    for (const key of [`label ${info.label}`, `fingerprint ${info.fingerprint.slice(0, 12)}…`]) {
      const other = seen.get(key);
      if (other) {
        throw mismatch(`${endpoint.url} and ${other.url} both report ${key}`, WRONG_URLS);
      }
      seen.set(key, endpoint);
    }
    if (info.height !== shape.height || info.width !== shape.width) {
      throw mismatch(
        `${endpoint.name}: expected ${shape.width}×${shape.height} images, ` +
          `the client takes ${info.width}×${info.height}`,
      );
    }
  }
  // from here on every score call checks the client still serves the model it stated
  const checked = ({ endpoint, info }: ConnectedClient): ConnectedClient => {
    const options = { ...optionsFor(endpoint.url), fingerprint: info.fingerprint };
    return { endpoint: new HttpEndpoint(endpoint.url, info.label, options), info };
  };
  if (!record) return found.sort((a, b) => a.info.label - b.info.label).map(checked);

  // against the server model: the same clients, with the same weights
  const byLabel = new Map(found.map((f) => [f.info.label, f]));
  for (const f of found) {
    if (!record.some((r) => r.label === f.info.label)) {
      throw mismatch(
        `${f.endpoint.name}: the server model knows no client ${f.info.label} ` +
          `(it knows ${record.map((r) => r.label).join(', ')}); run semipriv server train again`,
      );
    }
  }
  return record.map((r) => {
    const f = byLabel.get(r.label);
    if (!f) {
      throw mismatch(
        `the server model needs client ${r.label}, and no URL in --clients serves it ` +
          `(found ${found.map((x) => x.info.label).join(', ')})`,
        WRONG_URLS,
      );
    }
    if (f.info.fingerprint !== r.fingerprint) {
      throw mismatch(
        `${f.endpoint.name}: expected fingerprint ${r.fingerprint.slice(0, 12)}…, ` +
          `received ${f.info.fingerprint.slice(0, 12)}…; its model changed since server training`,
      );
    }
    return checked(f);
  });
}

const WRONG_URLS = 'Pass each client once in --clients: one URL per label the server model knows.';

function mismatch(message: string, hint?: string): SemiprivError {
  return new SemiprivError('SP_CLIENT_MISMATCH', message, { hint });
}
