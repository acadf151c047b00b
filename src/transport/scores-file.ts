/**
 * The offline transport: a client scores the labelled images once and its owner hands the
 * server a scores file, instead of running a service. The file holds the client's public facts,
 * the SHA-256 of the probe pixels it scored, and the two scores per probe; a
 * {@link ScoresFileEndpoint} answers the server with them, but only for those very probes.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../data/idx.js';
import { SemiprivError } from '../errors.js';
import { JsonFields } from '../json-check.js';
import type { Scores } from '../model/bibae.js';
import { sha256Hex } from '../model/weights-file.js';
import { parseClientInfo } from './http-codec.js';
import type { ClientEndpoint, ClientInfo, ProbeBatch } from './types.js';

/** The format version of scores files this code writes and reads. */
export const SCORES_FORMAT_VERSION = 1;

/** What a scores file holds. */
export interface ScoresFile {
  /** The client's public facts; `label` and `fingerprint` identify it. */
  info: ClientInfo;
  /** Number of probes scored. */
  count: number;
  /** SHA-256 of the probes' pixels, in the order scored. */
  probesSha256: string;
  scores: Scores;
}

/**
 * Writes the scores of `probes` as a scores file (atomically).
 *
 * @example
 * await writeScoresFile('scores-3.json', client.info(), probes, client.score(probes));
 */
export async function writeScoresFile(
  path: string,
  info: ClientInfo,
  probes: ProbeBatch,
  scores: Scores,
): Promise<void> {
  const body = {
    format: 'semipriv-scores',
    formatVersion: SCORES_FORMAT_VERSION,
    ...info,
    count: probes.count,
    probesSha256: sha256Hex(probes.images),
    reconstructionError: Array.from(scores.reconstructionError),
    discriminatorScore: Array.from(scores.discriminatorScore),
  };
  await writeFileAtomic(path, `${JSON.stringify(body)}\n`);
}

/** Reads a scores file, refusing a malformed one with SP_SCORES_INVALID naming it. */
export async function readScoresFile(path: string): Promise<ScoresFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new SemiprivError('SP_SCORES_INVALID', `${path}: cannot read (${reason})`);
  }
  const f = JsonFields.parse(text, path, 'SP_SCORES_INVALID');
  f.oneOf('format', ['semipriv-scores']);
  f.oneOf('formatVersion', [SCORES_FORMAT_VERSION]);
  const count = f.number('count', { integer: true, min: 1 });
  return {
    info: parseClientInfo(readInfo(f), path, 'SP_SCORES_INVALID'),
    count,
    probesSha256: f.string('probesSha256', /^[0-9a-f]{64}$/),
    scores: {
      reconstructionError: Float32Array.from(f.numbers('reconstructionError', count, { min: 0 })),
      discriminatorScore: Float32Array.from(
        f.numbers('discriminatorScore', count, { min: 0, max: 1 }),
      ),
    },
  };
}

function readInfo(f: JsonFields): Record<string, unknown> {
  const keys = ['label', 'height', 'width', 'fingerprint', 'errorStats'];
  return Object.fromEntries(keys.map((k) => [k, f.raw(k)]));
}

/**
 * Checks scores files against each other: one per label and per model.
 *
 * @throws SemiprivError SP_SCORES_INVALID naming both files of a repeated label or fingerprint.
 */
export function checkDistinct(files: readonly { path: string; file: ScoresFile }[]): void {
  const seen = new Map<string, string>();
  for (const { path, file } of files) {
    const fp = file.info.fingerprint.slice(0, 12);
    for (const key of [`label ${file.info.label}`, `fingerprint ${fp}…`]) {
      const other = seen.get(key);
      if (other) {
        throw new SemiprivError('SP_SCORES_INVALID', `${path} and ${other} both hold ${key}`, {
          hint: "Pass one scores file per client, each made by that client's own model.",
        });
      }
      seen.set(key, path);
    }
  }
}

/**
 * A {@link ClientEndpoint} that answers from a scores file, and only for the probes scored.
 *
 * @example
 * const endpoints = files.map(({ path, file }) => new ScoresFileEndpoint(file, path));
 * const model = await new Server(endpoints).train(labelled, options);
 */
export class ScoresFileEndpoint implements ClientEndpoint {
  readonly label: number;
  private readonly file: ScoresFile;
  private readonly path: string;

  constructor(file: ScoresFile, path: string) {
    this.file = file;
    this.path = path;
    this.label = file.info.label;
  }

  async info(): Promise<ClientInfo> {
    return this.file.info;
  }

  async score(probes: ProbeBatch): Promise<Scores> {
    const { info, count, probesSha256 } = this.file;
    if (probes.count !== count) {
      throw this.refuse(`expected scores of ${probes.count} images, the file holds ${count}`);
    }
    if (probes.height !== info.height || probes.width !== info.width) {
      throw this.refuse(
        `expected ${probes.width}×${probes.height} images, the file scored ` +
          `${info.width}×${info.height}`,
      );
    }
    if (sha256Hex(probes.images) !== probesSha256) {
      throw this.refuse(
        'the file scored other images (or the same in another order) than the labelled ones',
      );
    }
    return this.file.scores;
  }

  private refuse(message: string): SemiprivError {
    return new SemiprivError('SP_SCORES_INVALID', `${this.path}: ${message}`);
  }
}
