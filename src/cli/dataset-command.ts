/**
 * `semipriv dataset export`: real MNIST or Fashion-MNIST images as PNG files, to try a
 * deployment with the same kind of folders an owner would have.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePng, hasImageExtension } from '../data/image-files.js';
import { DATASET_NAMES, loadDataset, parseDatasetName } from '../data/load.js';
import type { ImageSet } from '../data/types.js';
import { SemiprivError } from '../errors.js';
import { counted } from '../report/document.js';
import { integerFlag, numberList, type CommandSpec, type ParsedFlags } from './options.js';
import { requiredFlag } from './service-flags.js';

/** Flags of `semipriv dataset export`. */
export const DATASET_EXPORT_SPEC: CommandSpec = {
  name: 'dataset export',
  summary: 'write dataset images as PNG files, one folder per label',
  usage:
    'semipriv dataset export --dataset mnist --split train|test [--label L | --labels L,…] ' +
    '--out DIR',
  flags: [
    {
      name: 'dataset',
      type: 'string',
      choices: DATASET_NAMES,
      defaultText: 'mnist',
      description: 'Dataset',
    },
    {
      name: 'split',
      type: 'string',
      choices: ['train', 'test'],
      defaultText: 'train',
      description: 'Which half',
    },
    { name: 'label', type: 'number', description: 'Only this class, written straight into DIR' },
    {
      name: 'labels',
      type: 'list',
      defaultText: 'all',
      description: 'Only these classes, one subfolder each (a subset for fewer clients)',
    },
    {
      name: 'count',
      type: 'number',
      defaultText: 'all',
      description: 'At most this many images per label, the first in the split after --skip',
    },
    {
      name: 'skip',
      type: 'number',
      defaultText: '0',
      description: 'Leave out the first this many images of each label (those owners exported)',
    },
    { name: 'out', type: 'string', description: 'Folder to write to' },
    { name: 'data-dir', type: 'string', description: 'Folder with the official IDX files' },
    {
      name: 'force',
      type: 'boolean',
      description: 'Write into folders that already hold images (adding to them)',
    },
  ],
  details:
    'Files are named by their index in the split (00042.png). Without --label, DIR gets one\n' +
    'subfolder per label (every label, or those of --labels): the layout server train\n' +
    '--labeled reads. Folders that already hold images are refused unless --force: a client\n' +
    'trains on every image of its folder, so another class written there would mix in.',
};

/** Exports images as PNG files; returns how many were written. */
export async function datasetExportCommand(flags: ParsedFlags): Promise<number> {
  const out = requiredFlag(flags, 'out');
  const name = parseDatasetName(typeof flags.dataset === 'string' ? flags.dataset : 'mnist');
  const split = flags.split === 'test' ? 'test' : 'train';
  const label = flags.label === undefined ? undefined : integerFlag(flags, 'label', 0);
  // no --labels: every class
  const labels = new Set(numberList(flags, 'labels', [], 0, 255));
  if (label !== undefined && labels.size > 0) {
    throw new SemiprivError('SP_OPTION', 'expected --label or --labels, received both');
  }
  const count = integerFlag(flags, 'count', Number.MAX_SAFE_INTEGER, 1);
  const skip = integerFlag(flags, 'skip', 0, 0);
  const dataDir = typeof flags.dataDir === 'string' ? flags.dataDir : undefined;
  const set = (await loadDataset(name, { dataDir }))[split];

  // `count` images of each wanted label, in split order, after the first `skip`
  const seen = new Map<number, number>();
  const taken = new Map<number, number>();
  const chosen: number[] = [];
  for (let i = 0; i < set.count; i++) {
    const l = set.labels[i];
    if ((label !== undefined && l !== label) || (labels.size > 0 && !labels.has(l))) continue;
    seen.set(l, (seen.get(l) ?? 0) + 1);
    if ((seen.get(l) ?? 0) <= skip || (taken.get(l) ?? 0) >= count) continue;
    taken.set(l, (taken.get(l) ?? 0) + 1);
    chosen.push(i);
  }
  const missing = [...labels].filter((l) => !seen.has(l));
  if (seen.size === 0 || missing.length > 0) {
    const asked = label !== undefined ? `--label ${label}` : `--labels ${missing.join(',')}`;
    const held = [...new Set(set.labels)].sort((a, b) => a - b).join(', ');
    throw new SemiprivError(
      'SP_OPTION',
      `${asked}: no such class in ${name} ${split}; expected one of ${held}`,
    );
  }
  if (chosen.length === 0) {
    const most = Math.max(...seen.values());
    throw new SemiprivError(
      'SP_OPTION',
      `--skip ${skip}: expected fewer than the ${most} images a class holds in ${name} ${split}`,
    );
  }

  const folder = (l: number): string => (label === undefined ? join(out, String(l)) : out);
  if (flags.force !== true) await refuseFilledFolder(out);
  for (const l of taken.keys()) await mkdir(folder(l), { recursive: true });
  const concurrency = 16;
  for (let start = 0; start < chosen.length; start += concurrency) {
    await Promise.all(
      chosen.slice(start, start + concurrency).map(async (i) => {
        const file = join(folder(set.labels[i]), `${String(i).padStart(5, '0')}.png`);
        await writeFile(file, await encodePng(pixelsOf(set, i), set.height, set.width));
      }),
    );
  }
  process.stdout.write(`wrote ${chosen.length} ${name} ${split} images to ${out}\n`);
  return chosen.length;
}

/** Refuses a folder that already holds image files, at any depth: they could be of another class. */
async function refuseFilledFolder(dir: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true }).catch(() => []);
  const images = entries.filter(hasImageExtension).length;
  if (images === 0) return;
  throw new SemiprivError('SP_FILE', `--out: ${dir} already holds ${counted(images, 'image')}`, {
    hint:
      'Export into an empty folder, or pass --force to add these images to those already ' +
      'there (a client trains on every image in its folder).',
  });
}

function pixelsOf(set: ImageSet, index: number): Uint8Array {
  const size = set.height * set.width;
  return set.images.subarray(index * size, (index + 1) * size);
}
