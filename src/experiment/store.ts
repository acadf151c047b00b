/**
 * The experiment folder on disk. Every file is written whole or not at all
 * (write, then rename), so a run stopped at any moment leaves only finished
 * results behind and the next run resumes from them.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporaryWriter, writeFileAtomic } from '../data/idx.js';
import { SemiprivError } from '../errors.js';
import type { Scores } from '../model/bibae.js';
import {
  parseRecordJson,
  recordToJson,
  type CellRecord,
  type ClientSetRecord,
  type ExperimentRecord,
} from './records.js';

const EXPERIMENT_FILE = 'experiment.json';
const LOCK_FILE = '.semipriv-lock';
const CLIENT_SETS = 'client-sets';
const CELLS = 'cells';

/** What `--fresh` deletes: everything semipriv writes into an experiment folder. */
const OWNED = [
  EXPERIMENT_FILE,
  CLIENT_SETS,
  CELLS,
  'results.json',
  'report.html',
  'report.md',
  'figures',
];

/**
 * Reads and writes one experiment folder.
 *
 * @example
 * const store = new ExperimentStore('runs/grid');
 * const done = await store.readCell('mnist-nae100-seed0-ncl1000'); // null until written
 */
export class ExperimentStore {
  readonly dir: string;

  /** @param dir - The experiment folder; created on the first write. */
  constructor(dir: string) {
    this.dir = dir;
  }

  /** Deletes every file semipriv wrote here, leaving anything else in the folder. */
  async clear(): Promise<void> {
    await Promise.all(
      OWNED.map((name) => rm(join(this.dir, name), { recursive: true, force: true })),
    );
  }

  /**
   * Refuses a path that names a file, and (unless `replacing`) a folder that holds files of
   * the names semipriv writes but no experiment: another command's output.
   */
  async checkFolder(replacing: boolean): Promise<void> {
    const info = await stat(this.dir).catch(() => null);
    if (info === null) return;
    const hint = 'Name a new folder, or the --out folder of an earlier semipriv experiment.';
    if (!info.isDirectory()) {
      throw new SemiprivError('SP_FILE', `--out ${this.dir}: expected a folder, received a file`, {
        hint,
      });
    }
    const names = await readdir(this.dir);
    // client and server train write a manifest.json: a model, which --fresh must not bury
    if (names.includes('manifest.json')) {
      throw new SemiprivError(
        'SP_FILE',
        `--out ${this.dir}: expected a new or an experiment folder, received a model folder ` +
          '(it holds manifest.json)',
        { hint },
      );
    }
    if (replacing || (await this.readExperiment())) return;
    const found = OWNED.filter((name) => names.includes(name));
    if (found.length > 0) {
      throw new SemiprivError(
        'SP_FILE',
        `--out ${this.dir}: expected a new or an experiment folder, received one that holds ` +
          `${found.join(', ')} but no experiment.json (the output of another command, such as ` +
          'semipriv run)',
        { hint: `${hint} --fresh deletes those files and starts an experiment there.` },
      );
    }
  }

  /**
   * Takes the folder for this process, so that two runs never train the same clients at once;
   * resolves to the function that gives it back. A lock left by a process that is gone (a run
   * stopped by a signal) is taken over.
   */
  async lock(): Promise<() => Promise<void>> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, LOCK_FILE);
    // a second try follows the removal of a lock whose process is gone
    for (let attempt = 0; ; attempt++) {
      try {
        await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
        return () => this.unlock();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      }
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
        throw new SemiprivError(
          'SP_EXPERIMENT_BUSY',
          `--out ${this.dir}: another semipriv experiment (process ${holder}) writes to this ` +
            'folder; two runs would train the same clients twice',
          { hint: `Wait for it or stop it. If no experiment runs, delete ${path}.` },
        );
      }
      await rm(path, { force: true });
    }
  }

  /** Gives the folder back when this process holds it; a process stopping on a signal calls it. */
  async unlock(): Promise<void> {
    const path = join(this.dir, LOCK_FILE);
    const holder = await readFile(path, 'utf8').catch(() => '');
    if (holder.trim() === String(process.pid)) await rm(path, { force: true });
  }

  /** Deletes the temporary files of writes that a killed run left unfinished. */
  async removeTemporaries(): Promise<void> {
    const entries = await readdir(this.dir, { recursive: true, withFileTypes: true }).catch(
      () => [],
    );
    const left = entries.filter((e) => {
      const pid = e.isFile() ? temporaryWriter(e.name) : null;
      return pid !== null && !isRunning(pid);
    });
    await Promise.all(left.map((e) => rm(join(e.parentPath, e.name), { force: true })));
  }

  /** The folder's settings, or null for a folder no experiment has written to. */
  async readExperiment(): Promise<ExperimentRecord | null> {
    return this.readRecord<ExperimentRecord>(EXPERIMENT_FILE, 'semipriv-experiment');
  }

  /** Saves the folder's settings. */
  async writeExperiment(record: ExperimentRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(join(this.dir, EXPERIMENT_FILE), recordToJson(record));
  }

  /** A finished cell, or null when it has not been evaluated yet. */
  async readCell(key: string): Promise<CellRecord | null> {
    const record = await this.readRecord<CellRecord>(cellPath(key), 'semipriv-cell');
    if (record && record.key !== key) throw damaged(cellPath(key), `key "${record.key}"`);
    return record;
  }

  /** Every finished cell in the folder, in key order. */
  async listCells(): Promise<CellRecord[]> {
    const keys = await this.keysIn(CELLS);
    const cells = await Promise.all(keys.map((k) => this.readCell(k)));
    return cells.filter((c): c is CellRecord => c !== null);
  }

  /** Every scored client set's manifest, in key order. */
  async listClientSets(): Promise<ClientSetRecord[]> {
    const keys = await this.keysIn(CLIENT_SETS);
    const sets = await Promise.all(keys.map((k) => this.readClientSet(k)));
    return sets.filter((s): s is ClientSetRecord => s !== null);
  }

  /** Saves a finished cell under its key. */
  async writeCell(record: CellRecord): Promise<void> {
    await mkdir(join(this.dir, CELLS), { recursive: true });
    await writeFileAtomic(join(this.dir, cellPath(record.key)), recordToJson(record));
  }

  /** A client set's manifest, or null when its clients have not been scored yet. */
  async readClientSet(key: string): Promise<ClientSetRecord | null> {
    const path = manifestPath(key);
    const record = await this.readRecord<ClientSetRecord>(path, 'semipriv-client-set');
    if (record && record.key !== key) throw damaged(path, `key "${record.key}"`);
    return record;
  }

  /**
   * Saves a client set's scores, then its manifest: a manifest on disk always
   * names a complete scores file.
   */
  async writeClientSet(
    manifest: Omit<ClientSetRecord, 'scoresFile' | 'scoresSha256'>,
    scores: readonly Scores[],
  ): Promise<ClientSetRecord> {
    await mkdir(join(this.dir, CLIENT_SETS), { recursive: true });
    const bytes = encodeScores(scores);
    const scoresFile = `${manifest.key}.scores.f32`;
    await writeFileAtomic(join(this.dir, CLIENT_SETS, scoresFile), bytes);
    const record: ClientSetRecord = { ...manifest, scoresFile, scoresSha256: sha256(bytes) };
    await writeFileAtomic(join(this.dir, manifestPath(manifest.key)), recordToJson(record));
    return record;
  }

  /**
   * The folder that keeps a client set's finished clients until the set is saved; `--fresh`
   * deletes it with the rest of `client-sets`.
   */
  finishedClientsDir(key: string): string {
    return join(this.dir, CLIENT_SETS, `${key}.clients`);
  }

  /** Every client's scores of every probe, checked against the manifest. */
  async readScores(record: ClientSetRecord): Promise<Scores[]> {
    const path = join(CLIENT_SETS, record.scoresFile);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(join(this.dir, path));
    } catch (error) {
      throw damaged(path, `an unreadable file (${(error as NodeJS.ErrnoException).code})`);
    }
    if (sha256(bytes) !== record.scoresSha256) {
      throw damaged(path, 'contents whose SHA-256 differs from its manifest');
    }
    const probes = record.labelledIndices.length + record.testCount;
    return decodeScores(bytes, record.infos.length, probes, path);
  }

  /** The names of the JSON files in a subfolder, without `.json`, sorted. */
  private async keysIn(folder: string): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(join(this.dir, folder));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    // written files only: an interrupted write leaves a hidden temporary name
    const visible = names.filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    return visible.map((n) => n.slice(0, -'.json'.length)).sort();
  }

  private async readRecord<T extends { format: string; formatVersion: number }>(
    path: string,
    format: T['format'],
  ): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(join(this.dir, path), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    let value: unknown;
    try {
      value = parseRecordJson(text);
    } catch {
      throw damaged(path, 'text that is not JSON');
    }
    const record = value as Partial<T> | null;
    if (typeof record !== 'object' || record === null || record.format !== format) {
      throw damaged(path, `no "format": "${format}" field`);
    }
    if (record.formatVersion !== 1) {
      throw damaged(path, `format version ${String(record.formatVersion)}, expected 1`);
    }
    return record as T;
  }
}

/** Whether a process with this id runs on this machine (and so may still be writing). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function cellPath(key: string): string {
  return join(CELLS, `${key}.json`);
}

function manifestPath(key: string): string {
  return join(CLIENT_SETS, `${key}.json`);
}

function damaged(path: string, what: string): SemiprivError {
  return new SemiprivError(
    'SP_RESULTS_INVALID',
    `${path}: expected a file written by semipriv experiment, found ${what}`,
  );
}

/** The SHA-256 of `data` in hex, as the experiment folder's records name their files. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Scores as little-endian float32, client by client; within a client, every
 * probe's reconstruction error, then every probe's discriminator score.
 */
export function encodeScores(scores: readonly Scores[]): Uint8Array {
  const probes = scores[0]?.reconstructionError.length ?? 0;
  const bytes = new Uint8Array(scores.length * 2 * probes * 4);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const s of scores) {
    for (const column of [s.reconstructionError, s.discriminatorScore]) {
      for (let i = 0; i < probes; i++, offset += 4) view.setFloat32(offset, column[i], true);
    }
  }
  return bytes;
}

/** Reads what {@link encodeScores} wrote for `clients` clients and `probes` probes. */
export function decodeScores(
  bytes: Uint8Array,
  clients: number,
  probes: number,
  where: string,
): Scores[] {
  const expected = clients * 2 * probes * 4;
  if (bytes.length !== expected) {
    const shape = `${clients} clients × 2 scores × ${probes} probes × 4`;
    throw damaged(where, `${bytes.length} bytes where ${shape} = ${expected} were expected`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const column = (start: number): Float32Array =>
    Float32Array.from({ length: probes }, (_, i) => view.getFloat32(start + i * 4, true));
  return Array.from({ length: clients }, (_, j) => ({
    reconstructionError: column(j * 2 * probes * 4),
    discriminatorScore: column((j * 2 + 1) * probes * 4),
  }));
}
