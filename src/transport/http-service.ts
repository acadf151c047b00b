/**
 * What the client and server HTTP services share: a Fastify app with bearer-token checks,
 * a limit on concurrent requests, one JSON error shape `{code, message}`, one log line per
 * request, `/healthz`, and `/openapi.json` served from `docs/openapi.json`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import {
  fastify,
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { isSemiprivError, SemiprivError } from '../errors.js';
import { nodeLogger, type Logger } from '../log.js';
import { IMAGE_MEDIA_TYPES } from './http-codec.js';

/** Options of {@link createService}. */
export interface ServiceOptions {
  /** Which node this is: picks the logger and the OpenAPI operations served. */
  node: 'client' | 'server';
  /** The client's label, for the logger. */
  label?: number;
  /** The bearer token every route but `/healthz` requires. */
  token: string;
  /** Requests handled at once; more are answered 503. */
  maxConcurrent: number;
  /** Largest request body in bytes; larger ones are answered 413. */
  bodyLimit: number;
  /** PEM certificate and key: serve HTTPS instead of HTTP. */
  tls?: { cert: Uint8Array; key: Uint8Array };
  /** Logger; a child of the root logger for this node by default. */
  logger?: Logger;
}

/** The smallest token length accepted, in characters. */
export const MIN_TOKEN_LENGTH = 16;

/** Throws SP_OPTION unless `token` is long enough to serve behind. */
export function checkTokenLength(token: string): void {
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new SemiprivError(
      'SP_OPTION',
      `--token: expected at least ${MIN_TOKEN_LENGTH} characters, received ${token.length}`,
    );
  }
}

const PUBLIC_ROUTES = new Set(['/healthz']);
const ROUTES = new WeakMap<object, string[]>();

/**
 * A Fastify app with the shared routes, hooks and error handling; the caller adds its own
 * routes before `listen` or `inject`.
 *
 * @example
 * const app = createService({ node: 'client', label: 3, token, maxConcurrent: 8,
 *   bodyLimit: 4096 * 784 });
 * app.get('/v1/info', async () => client.info());
 */
export function createService(options: ServiceOptions): Service {
  checkTokenLength(options.token);
  const app = fastify({
    loggerInstance: options.logger ?? nodeLogger(options.node, options.label),
    // one line per request, written by the onResponse hook below
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    // a request arriving while the node drains gets SP_STOPPING from the hook below instead
    return503OnClosing: false,
    bodyLimit: options.bodyLimit,
    requestTimeout: 120_000,
    https: options.tls
      ? { cert: Buffer.from(options.tls.cert), key: Buffer.from(options.tls.key) }
      : null,
  });

  // every route as "METHOD /path", so tests can hold them against docs/openapi.json
  const routes: string[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
  });

  // bodies: raw bytes of the image media types only; anything else is 415
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...IMAGE_MEDIA_TYPES], { parseAs: 'buffer' }, (_req, body, done) =>
    done(null, body),
  );

  // every request: refused while stopping, then token, then a slot among maxConcurrent,
  // released however it ends
  const expected = digest(options.token);
  const holding = new WeakSet<FastifyRequest>();
  let inFlight = 0;
  const release = (request: FastifyRequest): void => {
    if (holding.delete(request)) inFlight--;
  };
  let stopping = false;
  app.addHook('preClose', async () => {
    stopping = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    if (stopping) {
      reply.header('connection', 'close');
      throw new SemiprivError('SP_STOPPING', 'this node is stopping and takes no new requests');
    }
    if (PUBLIC_ROUTES.has(request.routeOptions.url ?? '')) return;
    checkToken(request.headers.authorization, expected, reply);
    if (inFlight >= options.maxConcurrent) {
      throw new SemiprivError(
        'SP_BUSY',
        `expected at most ${options.maxConcurrent} requests at once; this one is refused`,
      );
    }
    inFlight++;
    holding.add(request);
  });
  app.addHook('onRequestAbort', async (request) => release(request));
  app.addHook('onResponse', async (request, reply) => {
    release(request);
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });

  app.setErrorHandler((error: FastifyError | SemiprivError, request, reply) => {
    const { status, body } = errorReply(error, {
      bodyLimit: options.bodyLimit,
      contentType: request.headers['content-type'],
      contentLength: request.headers['content-length'],
    });
    if (status >= 500 && !isSemiprivError(error)) request.log.error({ err: error }, 'failed');
    else if (status >= 500) request.log.warn({ code: body.code }, body.message);
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request) => {
    throw new SemiprivError(
      'SP_NOT_FOUND',
      `no route ${request.method} ${request.url.split('?')[0]}; see /openapi.json`,
    );
  });

  const document = openApiFor(options.node);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/openapi.json', async () => document);
  return app;
}

/** A Fastify app made by {@link createService}. */
export type Service = FastifyInstance<HttpServer, IncomingMessage, ServerResponse, Logger>;

/** The routes registered on `app` so far, as "METHOD /path". */
export function routesOf(app: Service): string[] {
  return [...(ROUTES.get(app) ?? [])];
}

/** The operations of an OpenAPI document, as "METHOD /path". */
export function operationsOf(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/**
 * Maps any error to the status and body a remote caller gets: a coded error keeps its code
 * and message; Fastify's own request errors get the matching code; anything else is hidden
 * behind SP_INTERNAL, so no stack trace or internal detail leaves the node.
 */
export function errorReply(
  error: unknown,
  request: RequestFacts = {},
): {
  status: number;
  body: { code: string; message: string };
} {
  if (isSemiprivError(error)) {
    return { status: error.status, body: { code: error.code, message: error.message } };
  }
  const status = (error as Partial<FastifyError>).statusCode;
  if (status === 413) {
    return { status, body: { code: 'SP_TOO_LARGE', message: tooLarge(request) } };
  }
  if (status === 415) {
    const received = request.contentType ?? 'no content-type';
    const message = `${unsupportedType()}, received ${received}`;
    return { status, body: { code: 'SP_MEDIA_TYPE', message } };
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return { status, body: { code: 'SP_BODY', message: (error as Error).message } };
  }
  return {
    status: 500,
    body: { code: 'SP_INTERNAL', message: "internal error; the node's log has the details" },
  };
}

/** What {@link errorReply} may tell a caller about its own request. */
export interface RequestFacts {
  /** The node's body limit in bytes. */
  bodyLimit?: number;
  /** The request's content-type header. */
  contentType?: string;
  /** The request's content-length header, in bytes. */
  contentLength?: string;
}

function tooLarge({ bodyLimit, contentLength }: RequestFacts): string {
  const limit = bodyLimit === undefined ? '' : `: expected at most ${bodyLimit} bytes`;
  const received = contentLength === undefined ? '' : `, received ${contentLength}`;
  return `request body too large${limit}${received}`;
}

function unsupportedType(): string {
  return `expected a body of type ${IMAGE_MEDIA_TYPES.join(' or ')}`;
}

function checkToken(header: string | undefined, expected: Buffer, reply: FastifyReply): void {
  const match = /^Bearer +(\S+)$/i.exec(header ?? '');
  // comparing digests keeps the time independent of where the tokens differ and of their length
  if (match && timingSafeEqual(digest(match[1]), expected)) return;
  reply.header('www-authenticate', 'Bearer');
  throw new SemiprivError(
    'SP_AUTH',
    match
      ? 'the bearer token is not the one this node was started with'
      : 'expected an "Authorization: Bearer <token>" header',
  );
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The parts of an OpenAPI document this module reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, { tags?: string[] }>>;
  [key: string]: unknown;
}

/** `docs/openapi.json` limited to the operations tagged with `node`. */
export function openApiFor(node: 'client' | 'server'): OpenApiDocument {
  const url = new URL('../../docs/openapi.json', import.meta.url);
  const full = JSON.parse(readFileSync(url, 'utf8')) as OpenApiDocument;
  const paths: OpenApiDocument['paths'] = {};
  for (const [path, operations] of Object.entries(full.paths)) {
    const kept = Object.entries(operations).filter(([, op]) => op.tags?.includes(node));
    if (kept.length > 0) paths[path] = Object.fromEntries(kept);
  }
  return { ...full, paths };
}
