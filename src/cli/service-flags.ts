/**
 * Flags and steps the client and server commands share: tokens from flags or the environment,
 * TLS files, listening until a signal, the backend, and required flags.
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { BACKEND_NAMES, initBackend, parseBackend } from '../engine/backend.js';
import { SemiprivError } from '../errors.js';
import { checkTokenLength, type Service } from '../transport/http-service.js';
import { flagName, integerFlag, type FlagSpec, type ParsedFlags } from './options.js';

/** Flags of every command that serves HTTP, with its default of `--max-concurrent`. */
export function serveFlags(maxConcurrent: number): FlagSpec[] {
  return [
    {
      name: 'host',
      type: 'string',
      defaultText: '127.0.0.1',
      description: 'Address to listen on; 0.0.0.0 or :: to accept other machines',
    },
    {
      name: 'token',
      type: 'string',
      defaultText: '$SEMIPRIV_TOKEN',
      description: 'Bearer token callers must send (at least 16 characters)',
    },
    { name: 'tls-cert', type: 'string', description: 'PEM certificate file: serve HTTPS' },
    { name: 'tls-key', type: 'string', description: 'PEM private key file of --tls-cert' },
    {
      name: 'max-images',
      type: 'number',
      defaultText: '4096',
      description: 'Most images per request; more is answered 413',
    },
    {
      name: 'max-concurrent',
      type: 'number',
      defaultText: String(maxConcurrent),
      description: 'Requests handled at once; more are answered 503',
    },
  ];
}

/** The `--backend` flag. */
export const BACKEND_FLAG: FlagSpec = {
  name: 'backend',
  type: 'string',
  choices: ['auto', ...BACKEND_NAMES],
  defaultText: 'auto',
  description: 'TensorFlow.js backend',
};

/** The `--force` flag of the commands that train and save a model. */
export const FORCE_FLAG: FlagSpec = {
  name: 'force',
  type: 'boolean',
  description: 'Replace a model already saved in --model-dir',
};

/** Flags with which the server reaches its clients. */
export const CLIENT_ACCESS_FLAGS: readonly FlagSpec[] = [
  {
    name: 'client-token',
    type: 'list',
    defaultText: '$SEMIPRIV_CLIENT_TOKEN',
    description: "The clients' bearer token: one for all, or one per --clients URL, in order",
  },
  {
    name: 'client-timeout',
    type: 'number',
    defaultText: '30000',
    description: 'Milliseconds a client has to answer one call, retries included',
  },
];

/** A required string flag. */
export function requiredFlag(flags: ParsedFlags, key: string): string {
  const value = flags[key];
  if (typeof value !== 'string' || value === '') {
    throw new SemiprivError('SP_OPTION', `${flagName(key)} is required`);
  }
  return value;
}

/** What a serving command listens with, read from its flags. */
export interface ServeSettings {
  /** Bearer token callers must send. */
  token: string;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** PEM certificate and key, when serving HTTPS. */
  tls?: { cert: Uint8Array; key: Uint8Array };
  /** Most images per request. */
  maxImages: number;
  /** Requests handled at once. */
  maxConcurrent: number;
}

/**
 * Reads and checks every flag of {@link serveFlags} and `--port`, so that a bad value stops
 * the command before it spends time loading a model.
 */
export async function serveSettings(
  flags: ParsedFlags,
  defaults: { port: number; maxConcurrent: number },
): Promise<ServeSettings> {
  const token = tokenFlag(flags, 'token', 'SEMIPRIV_TOKEN');
  checkTokenLength(token);
  const port = integerFlag(flags, 'port', defaults.port);
  if (port > 65_535) {
    throw new SemiprivError('SP_OPTION', `--port: expected at most 65535, received ${port}`);
  }
  return {
    token,
    port,
    tls: await tlsFlags(flags),
    maxImages: integerFlag(flags, 'maxImages', 4096, 1),
    maxConcurrent: integerFlag(flags, 'maxConcurrent', defaults.maxConcurrent, 1),
  };
}

/** A token from `flags[key]` or the environment variable `envName`. */
function tokenFlag(flags: ParsedFlags, key: string, envName: string): string {
  const value = flags[key] ?? process.env[envName];
  if (typeof value !== 'string' || value === '') {
    throw new SemiprivError('SP_OPTION', `expected a token in ${flagName(key)} or ${envName}`);
  }
  return value;
}

/**
 * The tokens for `count` clients from `--client-token` or SEMIPRIV_CLIENT_TOKEN: one for all,
 * or one per client.
 */
export function clientTokens(flags: ParsedFlags, count: number): string[] {
  const raw = flags.clientToken ?? process.env.SEMIPRIV_CLIENT_TOKEN?.split(',');
  const tokens = Array.isArray(raw) ? raw.filter((t) => t !== '') : [];
  if (tokens.length === 1) return Array.from({ length: count }, () => tokens[0]);
  if (tokens.length !== count) {
    throw new SemiprivError(
      'SP_OPTION',
      `--client-token or SEMIPRIV_CLIENT_TOKEN: expected one token, or one per client ` +
        `(${count}), received ${tokens.length}`,
    );
  }
  return tokens;
}

/** The PEM files of `--tls-cert` and `--tls-key`, both or neither. */
async function tlsFlags(
  flags: ParsedFlags,
): Promise<{ cert: Uint8Array; key: Uint8Array } | undefined> {
  const { tlsCert, tlsKey } = flags;
  if (tlsCert === undefined && tlsKey === undefined) return undefined;
  if (typeof tlsCert !== 'string' || typeof tlsKey !== 'string') {
    throw new SemiprivError('SP_OPTION', 'expected both --tls-cert and --tls-key, or neither');
  }
  const read = async (path: string, flag: string): Promise<Uint8Array> =>
    readFile(path).catch((error: NodeJS.ErrnoException) => {
      throw new SemiprivError('SP_OPTION', `${flag} ${path}: cannot read (${error.code})`, {
        hint: 'Check the path, and that the user running semipriv may read the file.',
      });
    });
  const files = { cert: await read(tlsCert, '--tls-cert'), key: await read(tlsKey, '--tls-key') };
  try {
    createSecureContext({ cert: Buffer.from(files.cert), key: Buffer.from(files.key) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SemiprivError(
      'SP_OPTION',
      `--tls-cert ${tlsCert} with --tls-key ${tlsKey}: not a usable PEM pair (${reason})`,
      { hint: 'Pass the PEM certificate to --tls-cert and its own private key to --tls-key.' },
    );
  }
  return files;
}

/** Starts the backend named by `--backend`. */
export async function startBackend(flags: ParsedFlags): Promise<void> {
  await initBackend({ backend: flags.backend ? parseBackend(String(flags.backend)) : 'auto' });
}

const LISTEN_HINTS: Record<string, string> = {
  EADDRINUSE: 'Another process holds that port: pass another --port, or 0 for a free one.',
  EACCES: 'Ports below 1024 need privileges: pass a --port of 1024 or more.',
  EADDRNOTAVAIL: '--host must be an address of this machine, such as 127.0.0.1 or 0.0.0.0.',
  ENOTFOUND: '--host must be an address of this machine, such as 127.0.0.1 or 0.0.0.0.',
};

/**
 * Listens on `--host` and `port`, prints `<what> listening on <url>` on stdout, and closes
 * the app on SIGINT or SIGTERM, saying so on stdout when it stops and once it has stopped.
 * Returns the URL.
 */
export async function listenUntilSignal(
  app: Service,
  flags: ParsedFlags,
  port: number,
  what: string,
): Promise<string> {
  const host = typeof flags.host === 'string' ? flags.host : '127.0.0.1';
  let address: string;
  try {
    address = await app.listen({ host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new SemiprivError('SP_OPTION', `cannot listen on ${host} port ${port}: ${code}`, {
      hint: LISTEN_HINTS[code] ?? 'Check --host and --port.',
    });
  }
  process.stdout.write(`${what} listening on ${address}\n`);
  const stop = (signal: NodeJS.Signals): void => {
    // a second signal, of either kind, falls to Node's default and ends the process at once
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);

    // close() lets requests in flight finish before the exit
    process.stdout.write(`${what} stopping on ${signal}: finishing the requests in flight\n`);
    app.close().then(
      () => {
        process.stdout.write(`${what} stopped\n`);
        process.exit(0);
      },
      (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        process.stderr.write(`${what} did not close cleanly: ${reason}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return address;
}
