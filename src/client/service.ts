/**
 * A client as an HTTP service on its owner's machine: it scores probe images and states its
 * public facts. Its weights and training images stay where they are; nothing in a reply is
 * more than two numbers per probe or the facts of {@link ClientInfo}.
 */
import type { Logger } from '../log.js';
import {
  bodyLimit,
  decodeImageBody,
  DEFAULT_MAX_IMAGES,
  scoresReply,
  type ScoresReply,
} from '../transport/http-codec.js';
import { createService, type Service } from '../transport/http-service.js';
import type { ClientInfo } from '../transport/types.js';
import type { Client } from './client.js';

/** Options of {@link createClientService}. */
export interface ClientServiceOptions {
  /** The trained client this service answers for. */
  client: Client;
  /** Bearer token callers must send. */
  token: string;
  /** Most images per request (default 4096). */
  maxImages?: number;
  /** Requests handled at once (default 16). */
  maxConcurrent?: number;
  /** PEM certificate and key, to serve HTTPS. */
  tls?: { cert: Uint8Array; key: Uint8Array };
  logger?: Logger;
}

/**
 * The client's Fastify app: `GET /v1/info`, `POST /v1/scores`, `/healthz`, `/openapi.json`.
 *
 * @example
 * const { client } = await loadClientModel('models/client-3');
 * const app = createClientService({ client, token });
 * await app.listen({ host: '127.0.0.1', port: 4003 });
 */
export function createClientService(options: ClientServiceOptions): Service {
  const { client } = options;
  const maxImages = options.maxImages ?? DEFAULT_MAX_IMAGES;
  // the fingerprint hashes every weight, so it is computed once, not per request
  const info: ClientInfo = client.info();
  const shape = { height: info.height, width: info.width };
  const app = createService({
    node: 'client',
    label: client.label,
    token: options.token,
    maxConcurrent: options.maxConcurrent ?? 16,
    bodyLimit: bodyLimit(shape, maxImages),
    tls: options.tls,
    logger: options.logger,
  });

  app.get('/v1/info', async (): Promise<ClientInfo> => info);
  app.post('/v1/scores', async (request): Promise<ScoresReply> => {
    const contentType = request.headers['content-type'];
    const probes = await decodeImageBody(request.body, contentType, shape, maxImages);
    return scoresReply(client.label, client.score(probes));
  });
  return app;
}
