/**
 * The benchmark's output: the comparison table, the profile of a training
 * step, and bench/results.json.
 */
import { arch, cpus, loadavg, platform, totalmem } from 'node:os';

import { tf } from '../engine/tf.js';
import { formatTable } from '../report/table.js';
import type { Measurement } from './measure.js';
import type { StepProfile } from './profile.js';
import type { ReferenceResults } from './pytorch.js';

/** The machine the benchmark ran on. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  tfjs: string;
  wasmSimd: boolean;
  /** False: each wasm instance runs on one thread. */
  wasmThreads: boolean;
  /**
   * 1-minute load average before and after our figures: well above zero,
   * other processes shared the CPUs.
   */
  loadAverage: { start: number; end: number };
}

/** The machine, with the load average at the start; set `end` when done. */
export function machineInfo(): MachineInfo {
  const load = loadavg()[0];
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${platform()} ${arch()}`,
    tfjs: tf.version.tfjs,
    wasmSimd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    wasmThreads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
    loadAverage: { start: round(load, 2), end: round(load, 2) },
  };
}

/** One row of the comparison: our kernels, the stock ones, PyTorch. */
export interface Comparison {
  quantity: string;
  setting: string;
  semipriv: number;
  stock: number | null;
  pytorchSetting: string | null;
  pytorch: number | null;
  /** semipriv / PyTorch images per second: above 1, semipriv is faster. */
  ratio: number | null;
}

/**
 * Pairs each of our measurements with PyTorch's of the same quantity, one row
 * per PyTorch setting where it has several.
 */
export function compare(
  ours: readonly Measurement[],
  pytorch: readonly Measurement[],
): Comparison[] {
  const rows: Comparison[] = [];
  for (const m of ours.filter((o) => o.kernels === 'semipriv')) {
    const stock = ours.find((o) => o.kernels === 'stock' && sameCase(o, m));
    const theirs = pytorch.filter((p) => p.quantity === m.quantity);
    for (const p of theirs.length > 0 ? theirs : [null]) {
      rows.push({
        quantity: m.quantity,
        setting: m.setting,
        semipriv: m.imagesPerSecond,
        stock: stock?.imagesPerSecond ?? null,
        pytorchSetting: p?.setting ?? null,
        pytorch: p?.imagesPerSecond ?? null,
        ratio: p ? m.imagesPerSecond / p.imagesPerSecond : null,
      });
    }
  }
  return rows;
}

/** The comparison as a text table, quantities described by `labels`. */
export function comparisonTable(
  rows: readonly Comparison[],
  labels: Readonly<Record<string, string>>,
): string {
  const headers = [
    'images/s',
    'ours',
    'semipriv',
    'stock',
    'PyTorch',
    'on',
    'vs stock',
    'vs PyTorch',
  ];
  const cells = rows.map((r) => [
    labels[r.quantity] ?? r.quantity,
    r.setting,
    fixed(r.semipriv, 1),
    r.stock === null ? '-' : fixed(r.stock, 1),
    r.pytorch === null ? '-' : fixed(r.pytorch, 1),
    r.pytorchSetting ?? '-',
    r.stock === null ? '-' : `${fixed(r.semipriv / r.stock, 2)}×`,
    r.ratio === null ? '-' : `${fixed(r.ratio, 2)}×`,
  ]);
  const textColumns = [0, 1, 5];
  const align = headers.map((_, i) =>
    textColumns.includes(i) ? ('left' as const) : ('right' as const),
  );
  return formatTable(headers, cells, { align });
}

/** How the table names each quantity. */
export function quantityLabels(clients: number, workers: number): Record<string, string> {
  return {
    'bibae-train': 'BIB-AE training, one client',
    'client-score': 'client scoring',
    'classifier-train': 'server classifier training',
    'end-to-end': `classification, ${clients} clients`,
    'bibae-train-parallel': `BIB-AE training, ${workers} clients at once`,
    'end-to-end-parallel': `classification, ${clients} clients`,
  };
}

const STEP_LABELS: Readonly<Record<string, string>> = {
  'bibae-step': 'BIB-AE step',
  'classifier-step': 'classifier step',
};

/**
 * For each kind of step: its slowest kernels with each set, shares of all
 * kernel time, then PyTorch's slowest operators.
 */
export function profileTables(
  profiles: readonly StepProfile[],
  reference: ReferenceResults | null,
  top = 8,
): string {
  const parts: string[] = [];
  for (const step of new Set(profiles.map((p) => p.step))) {
    const [ours, stock] = ['semipriv', 'stock'].map((set) =>
      profiles.find((p) => p.step === step && p.kernels === set),
    );
    if (ours === undefined) continue;
    const label = `${STEP_LABELS[step] ?? step}, ${ours.batchSize} images`;
    const rows = ours.byKernel.slice(0, top).map((k) => {
      const s = stock?.byKernel.find((x) => x.name === k.name);
      return [
        k.name,
        fixed(k.ms, 1),
        share(k.ms, ours.kernelMs),
        s ? fixed(s.ms, 1) : '-',
        s && stock ? share(s.ms, stock.kernelMs) : '-',
        fixed(k.calls, 0),
      ];
    });
    const sum = (p?: StepProfile) => (p ? fixed(p.kernelMs, 1) : '-');
    const wall = (p?: StepProfile) => (p ? fixed(p.stepMs, 1) : '-');
    rows.push(['all kernels, profiled', sum(ours), '', sum(stock), '', '']);
    rows.push(['whole step, unprofiled', wall(ours), '', wall(stock), '', '']);
    const headers = [label, 'semipriv ms', 'share', 'stock ms', 'share', 'calls'];
    parts.push(formatTable(headers, rows, { align: PROFILE_ALIGN }));

    const theirs = reference?.profiles.find((p) => p.step === step);
    if (theirs === undefined) continue;
    const opRows = theirs.byOp
      .slice(0, top)
      .map((o) => [o.name, fixed(o.ms, 1), share(o.ms, theirs.opMs), fixed(o.calls, 0)]);
    opRows.push(['all operators, profiled', fixed(theirs.opMs, 1), '', '']);
    opRows.push(['whole step, unprofiled', fixed(theirs.stepMs, 1), '', '']);
    const opHeaders = [`PyTorch ${label}`, 'self ms', 'share', 'calls'];
    parts.push(formatTable(opHeaders, opRows, { align: PROFILE_ALIGN.slice(0, 4) }));
  }
  return parts.join('\n\n');
}

const PROFILE_ALIGN: ('left' | 'right')[] = ['left', 'right', 'right', 'right', 'right', 'right'];

/** What bench/results.json holds, before rounding. */
export interface ResultsInput {
  machine: MachineInfo;
  /** PyTorch's figures, or why there are none. */
  reference: ReferenceResults | string;
  settings: Record<string, number>;
  notes: string[];
  rows: Comparison[];
  measurements: Measurement[];
  profiles: StepProfile[];
}

/** bench/results.json: the date, the machine, every figure, rounded. */
export function resultsJson(input: ResultsInput): string {
  const ref = typeof input.reference === 'string' ? null : input.reference;
  const r1 = (v: number | null) => (v === null ? null : round(v, 1));
  return toJson({
    date: new Date().toISOString(),
    machine: input.machine,
    pytorch: ref
      ? { python: ref.python, torch: ref.torch, blas: ref.blas }
      : { skipped: input.reference },
    settings: input.settings,
    notes: input.notes,
    comparison: input.rows.map((r) => ({
      ...r,
      semipriv: round(r.semipriv, 1),
      stock: r1(r.stock),
      pytorch: r1(r.pytorch),
      ratio: r.ratio === null ? null : round(r.ratio, 3),
    })),
    measurements: [...input.measurements, ...(ref?.results ?? [])].map((m) => ({
      ...m,
      seconds: m.seconds.map((s) => round(s, 4)),
      imagesPerSecond: round(m.imagesPerSecond, 1),
    })),
    profiles: {
      wasm: input.profiles.map((p) => ({
        ...p,
        stepMs: round(p.stepMs, 2),
        kernelMs: round(p.kernelMs, 2),
        byKernel: p.byKernel.map(roundTime),
      })),
      pytorch: (ref?.profiles ?? []).map((p) => ({
        ...p,
        stepMs: round(p.stepMs, 2),
        opMs: round(p.opMs, 2),
        byOp: p.byOp.map(roundTime),
      })),
    },
  });
}

function roundTime<T extends { ms: number; calls: number }>(t: T): T {
  return { ...t, ms: round(t.ms, 3), calls: round(t.calls, 1) };
}

/**
 * JSON as Prettier writes it: two-space indents; an array of plain values on
 * one line where it fits in 100 columns, and numbers packed into lines where
 * it does not.
 */
export function toJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  const flat = /^( *)(.*)\[\n([^[\]{}]*?)\n *\]/gm;
  const joined = text.replace(flat, (whole, indent: string, key: string, list: string) => {
    const items = list.trim().split(/,\n */);
    const line = `${indent}${key}[${items.join(', ')}]`;
    // one more column for a comma after the bracket
    if (line.length + 1 <= WIDTH) return line;
    if (!items.every((item) => NUMBER.test(item))) return whole;
    return `${indent}${key}[\n${pack(items, `${indent}  `)}\n${indent}]`;
  });
  return `${joined}\n`;
}

const WIDTH = 100;
const NUMBER = /^-?[0-9][0-9.eE+-]*$/;

/** Numbers as comma-separated lines that each fit the width. */
function pack(items: readonly string[], indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line === '' ? `${indent}${item},` : `${line} ${item},`;
    if (line !== '' && next.length > WIDTH) {
      lines.push(line);
      line = `${indent}${item},`;
    } else {
      line = next;
    }
  }
  lines.push(line.slice(0, -1));
  return lines.join('\n');
}

/** `value` rounded to `digits` decimals, as a number for JSON. */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function sameCase(a: Measurement, b: Measurement): boolean {
  return a.quantity === b.quantity && a.setting === b.setting;
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

function share(part: number, whole: number): string {
  return `${((100 * part) / whole).toFixed(0)}%`;
}
