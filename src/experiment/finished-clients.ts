/**
 * The clients of a client set that have finished training and scoring, kept one by one until
 * the whole set is saved, so that an experiment stopped while clients train loses only the
 * clients still training.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../data/idx.js';
import { SemiprivError } from '../errors.js';
import type { Scores } from '../model/bibae.js';
import type { ClientInfo } from '../transport/types.js';
import { parseRecordJson, recordToJson } from './records.js';
import { decodeScores, encodeScores, sha256 } from './store.js';

/** A trained client's public facts, training time and scores of every probe of its set. */
export interface FinishedClient {
  info: ClientInfo;
  seconds: number;
  scores: Scores;
}

/** The probes a client set scores: its labelled subsets' union, then the first test images. */
export interface ProbeList {
  labelledIndices: readonly number[];
  testCount: number;
}

/** Where a client set's finished clients wait for the rest of the set. */
export interface FinishedClients {
  /**
   * The clients an earlier run finished on these probes, in label order (none when it scored
   * other probes).
   */
  load(probes: ProbeList): Promise<FinishedClient[]>;
  /** Keeps one client that has trained and scored `probes`. */
  save(probes: ProbeList, client: FinishedClient): Promise<void>;
}

/** One finished client's JSON file; its scores lie in the binary file it names. */
interface FinishedClientRecord {
  format: 'semipriv-finished-client';
  formatVersion: 1;
  /** SHA-256 of the probe list, so that scores of other probes are never mixed in. */
  probes: string;
  info: ClientInfo;
  seconds: number;
  scoresFile: string;
  scoresSha256: string;
}

/**
 * Finished clients as files in one folder: per client, a JSON record and its scores in the
 * layout of a client set's scores file.
 *
 * @example
 * const finished = new FinishedClientsFolder('runs/grid/client-sets/mnist-nae100-seed0.clients');
 * const earlier = await finished.load(probes); // [] on a first run
 */
export class FinishedClientsFolder implements FinishedClients {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  async load(probes: ProbeList): Promise<FinishedClient[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }

    const wanted = probeDigest(probes);
    const count = probes.labelledIndices.length + probes.testCount;
    const clients: FinishedClient[] = [];
    for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
      const record = parseRecordJson(
        await readFile(join(this.dir, name), 'utf8'),
      ) as FinishedClientRecord;
      if (record.format !== 'semipriv-finished-client') throw damaged(this.dir, name, 'record');
      // scored for another grid (other labelled subsets): that client trains again
      if (record.probes !== wanted) continue;

      const bytes = await readFile(join(this.dir, record.scoresFile));
      if (sha256(bytes) !== record.scoresSha256)
        throw damaged(this.dir, record.scoresFile, 'scores');
      const [scores] = decodeScores(bytes, 1, count, join(this.dir, record.scoresFile));
      clients.push({ info: record.info, seconds: record.seconds, scores });
    }
    return clients.sort((a, b) => a.info.label - b.info.label);
  }

  async save(probes: ProbeList, client: FinishedClient): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const bytes = encodeScores([client.scores]);

    // the scores first: a record on disk always names a complete scores file
    const stem = `client-${client.info.label}`;
    await writeFileAtomic(join(this.dir, `${stem}.scores.f32`), bytes);
    const record: FinishedClientRecord = {
      format: 'semipriv-finished-client',
      formatVersion: 1,
      probes: probeDigest(probes),
      info: client.info,
      seconds: client.seconds,
      scoresFile: `${stem}.scores.f32`,
      scoresSha256: sha256(bytes),
    };
    await writeFileAtomic(join(this.dir, `${stem}.json`), recordToJson(record));
  }

  /** Deletes the folder, once the whole set is saved. */
  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

function probeDigest(probes: ProbeList): string {
  const text = JSON.stringify([probes.labelledIndices, probes.testCount]);
  return sha256(text);
}

function damaged(dir: string, name: string, what: string): SemiprivError {
  return new SemiprivError(
    'SP_RESULTS_INVALID',
    `${join(dir, name)}: this finished client's ${what} is not as semipriv wrote it`,
    { hint: 'Delete that folder to train its clients again, or pass --fresh.' },
  );
}
