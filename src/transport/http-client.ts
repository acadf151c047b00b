/**
 * The HTTP transport: a {@link ClientEndpoint} that reaches a client service over the network.
 * Every call has one deadline; scoring is idempotent, so a call that meets a connection failure,
 * a timeout of one try or a 502/503/504 is tried again after an exponential back-off, a few
 * times at most. A failure the server cannot recover from names the client's label and URL.
 */
import { SemiprivError } from '../errors.js';
import { describe } from '../json-check.js';
import { nodeLogger } from '../log.js';
import type { Scores } from '../model/bibae.js';
import { parseClientInfo, parseScoresReply, probesSlice } from './http-codec.js';
import type { ClientEndpoint, ClientInfo, ProbeBatch } from './types.js';

/** Options of {@link HttpEndpoint}. */
export interface HttpEndpointOptions {
  /** Bearer token of the client service. */
  token: string;
  /** Deadline of one call (info or score, retries included), in ms. */
  timeoutMs?: number;
  /** Tries per call, the first included. */
  attempts?: number;
  /** Wait before the first retry, in ms; doubled before each further one. */
  backoffMs?: number;
  /** Most images per request; larger batches are split. */
  maxBatch?: number;
  /** The fingerprint the client must report with every score call, checked as it scores. */
  fingerprint?: string;
}

/** Defaults of {@link HttpEndpointOptions}. */
export const DEFAULT_HTTP_ENDPOINT_OPTIONS = {
  timeoutMs: 30_000,
  attempts: 3,
  backoffMs: 100,
  maxBatch: 1024,
} as const;

const RETRIED_STATUSES = new Set([502, 503, 504]);

/**
 * A client service reached over HTTP(S).
 *
 * @example
 * const endpoint = await HttpEndpoint.connect('http://127.0.0.1:4003', { token });
 * const server = new Server([endpoint, ...others]);
 */
export class HttpEndpoint implements ClientEndpoint {
  readonly label: number;
  readonly url: string;
  private readonly options: Required<Omit<HttpEndpointOptions, 'fingerprint'>>;
  private readonly fingerprint?: string;
  private readonly log = nodeLogger('server');

  constructor(url: string, label: number, options: HttpEndpointOptions) {
    this.url = normaliseUrl(url);
    this.label = label;
    this.options = { ...DEFAULT_HTTP_ENDPOINT_OPTIONS, ...options };
    this.fingerprint = options.fingerprint;
  }

  /** Asks the client at `url` for its facts and returns an endpoint with its label. */
  static async connect(
    url: string,
    options: HttpEndpointOptions,
  ): Promise<{ endpoint: HttpEndpoint; info: ClientInfo }> {
    const probe = new HttpEndpoint(url, -1, options);
    const info = await probe.info();
    return { endpoint: new HttpEndpoint(url, info.label, options), info };
  }

  /** How messages name this client. */
  get name(): string {
    return this.label < 0 ? `client at ${this.url}` : `client ${this.label} at ${this.url}`;
  }

  async info(): Promise<ClientInfo> {
    const body = await this.call('/v1/info', this.deadline());
    return parseClientInfo(body, `${this.name}: /v1/info`, 'SP_CLIENT_BAD_REPLY');
  }

  async score(probes: ProbeBatch): Promise<Scores> {
    if (this.fingerprint === undefined) return this.scoreAll(probes);
    const [info, scores] = await Promise.all([this.info(), this.scoreAll(probes)]);
    if (info.fingerprint !== this.fingerprint || info.label !== this.label) {
      throw new SemiprivError(
        'SP_CLIENT_MISMATCH',
        `${this.name}: expected label ${this.label} with fingerprint ` +
          `${this.fingerprint.slice(0, 12)}…, received label ${info.label} with ` +
          `${info.fingerprint.slice(0, 12)}…`,
      );
    }
    return scores;
  }

  private async scoreAll(probes: ProbeBatch): Promise<Scores> {
    const deadline = this.deadline();
    const reconstructionError = new Float32Array(probes.count);
    const discriminatorScore = new Float32Array(probes.count);
    for (let start = 0; start < probes.count; start += this.options.maxBatch) {
      const count = Math.min(this.options.maxBatch, probes.count - start);
      const images = probesSlice(probes, start, count);
      const body = await this.call('/v1/scores', deadline, images);
      const where = `${this.name}: /v1/scores`;
      const part = parseScoresReply(body, { label: this.label, count }, where);
      reconstructionError.set(part.reconstructionError, start);
      discriminatorScore.set(part.discriminatorScore, start);
    }
    return { reconstructionError, discriminatorScore };
  }

  /** GET `path`, or POST `images` to it, with retries; answers a 2xx reply's JSON body. */
  private async call(path: string, deadline: number, images?: Uint8Array): Promise<unknown> {
    const { attempts, backoffMs, timeoutMs } = this.options;
    const init: RequestInit = images
      ? {
          method: 'POST',
          headers: { authorization: this.bearer(), 'content-type': 'application/octet-stream' },
          body: images,
        }
      : { method: 'GET', headers: { authorization: this.bearer() } };
    const pause = (attempt: number): Promise<void> =>
      attempt < attempts
        ? sleep(Math.min(backoffMs * 2 ** (attempt - 1), deadline - Date.now()))
        : Promise.resolve();
    let failure = '';
    let tried = 0;
    let outOfTime = false;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const remaining = deadline - Date.now();
      outOfTime = remaining <= 0;
      if (outOfTime) break;
      tried = attempt;
      let response: Response;
      let text: string;
      try {
        const signal = AbortSignal.timeout(remaining);
        response = await fetch(`${this.url}${path}`, { ...init, signal });
        text = await response.text();
      } catch (error) {
        failure = networkReason(error, timeoutMs);
        outOfTime = isTimeout(error);
        // a certificate the server does not trust stays untrusted however often it asks
        if (CERTIFICATE_FAILURES.has(failure)) {
          throw new SemiprivError('SP_CLIENT_UNREACHABLE', `${this.name}: ${path} ${failure}`, {
            hint: "Trust the client's certificate: start the server with NODE_EXTRA_CA_CERTS=ca.pem.",
          });
        }
        // before /v1/info answers, the label is not known yet
        const client = this.label < 0 ? undefined : this.label;
        this.log.warn({ client, url: this.url, attempt, failure }, 'request failed');
        await pause(attempt);
        continue;
      }
      if (response.ok) return parseBody(text, `${this.name}: ${path}`);
      failure = `answered ${response.status} ${errorSummary(text)}`;
      if (!RETRIED_STATUSES.has(response.status)) {
        const hint =
          response.status === 401
            ? 'The client refused the token: pass the one it was started with in ' +
              '--client-token or SEMIPRIV_CLIENT_TOKEN.'
            : undefined;
        throw new SemiprivError('SP_CLIENT_BAD_REPLY', `${this.name}: ${path} ${failure}`, {
          hint,
        });
      }
      await pause(attempt);
    }
    // say whether the time limit or the number of attempts ended the tries
    const times = tried === 1 ? '1 attempt' : `${tried} attempts`;
    const ended =
      tried === 0
        ? `had no time left of the ${timeoutMs} ms allowed`
        : outOfTime
          ? `failed within the ${timeoutMs} ms allowed (${times})`
          : `failed on ${tried === 1 ? 'its only attempt' : `all ${times}`}`;
    throw new SemiprivError(
      'SP_CLIENT_UNREACHABLE',
      `${this.name}: ${path} ${ended}${failure ? `: ${failure}` : ''}`,
    );
  }

  private bearer(): string {
    return `Bearer ${this.options.token}`;
  }

  private deadline(): number {
    return Date.now() + this.options.timeoutMs;
  }
}

/** Checks a client URL and drops a trailing slash. */
export function normaliseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SemiprivError(
      'SP_OPTION',
      `expected a client URL like http://host:port, received ${url}`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SemiprivError('SP_OPTION', `expected an http or https URL, received ${url}`);
  }
  return parsed.href.replace(/\/+$/, '');
}

/** TLS failures of a client's certificate, by the code Node gives them. */
const CERTIFICATE_FAILURES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function parseBody(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SemiprivError(
      'SP_CLIENT_BAD_REPLY',
      `${where}: expected JSON, received ${describe(text)}`,
    );
  }
}

function errorSummary(text: string): string {
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'string') return `(${body.code}: ${String(body.message)})`;
  } catch {
    // not JSON: show the start of the text instead
  }
  return `(${describe(text)})`;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function networkReason(error: unknown, timeoutMs: number): string {
  if (isTimeout(error)) return `no answer within ${timeoutMs} ms`;
  const cause =
    error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
