/**
 * The estimate of an experiment's time left. Each unit of work (training a
 * client set, scoring its probes, evaluating a cell) has a kind and a size; the
 * seconds per unit of size are measured on the units of that kind finished so
 * far, this run or a resumed one. Until one has finished, a running unit's
 * progress (the share of its epochs done) stands in for the measurement, so a
 * first client set does not leave the estimate blank for its whole training.
 */
import { SemiprivError } from '../errors.js';

/** The kinds of work, each with its own rate. */
export type WorkKind = 'train' | 'score' | 'cell';

interface Unit {
  kind: WorkKind;
  /** Size in the kind's measure: images per client, probes, labelled images. */
  size: number;
  state: 'pending' | 'running' | 'done';
  startedAt: number;
  /** Share of a running unit done, 0 to 1. */
  fraction: number;
}

/**
 * Time-left estimate over a list of planned units.
 *
 * @example
 * const eta = new Eta();
 * eta.plan('a', 'train', 100);
 * eta.plan('b', 'train', 1000);
 * eta.start('a');
 * eta.finish('a', 50); // 0.5 s per image
 * eta.secondsLeft(); // 500
 */
export class Eta {
  private readonly units = new Map<string, Unit>();
  private readonly measured: Record<WorkKind, { seconds: number; size: number }> = {
    train: { seconds: 0, size: 0 },
    score: { seconds: 0, size: 0 },
    cell: { seconds: 0, size: 0 },
  };
  private readonly now: () => number;

  /** @param now - Clock in seconds; tests pass a fake one. */
  constructor(now: () => number = () => performance.now() / 1000) {
    this.now = now;
  }

  /** Adds a unit still to do. */
  plan(id: string, kind: WorkKind, size: number): void {
    this.units.set(id, { kind, size, state: 'pending', startedAt: 0, fraction: 0 });
  }

  /** Counts a unit finished in an earlier run towards its kind's rate. */
  record(kind: WorkKind, size: number, seconds: number): void {
    this.measured[kind].seconds += seconds;
    this.measured[kind].size += size;
  }

  /** Marks a planned unit as running from now. */
  start(id: string): void {
    const unit = this.unit(id);
    unit.state = 'running';
    unit.startedAt = this.now();
  }

  /** Notes that a running unit is `fraction` (0 to 1) of the way through. */
  progress(id: string, fraction: number): void {
    const unit = this.unit(id);
    if (unit.state === 'running') unit.fraction = Math.min(1, Math.max(0, fraction));
  }

  /** Marks a unit done after `seconds` of work (default: since it started). */
  finish(id: string, seconds?: number): void {
    const unit = this.unit(id);
    const took = seconds ?? this.now() - unit.startedAt;
    unit.state = 'done';
    this.record(unit.kind, unit.size, took);
  }

  /** Marks a planned unit as not needed after all. */
  drop(id: string): void {
    this.units.delete(id);
  }

  /**
   * Seconds until every planned unit is done, or null while a kind still to do
   * has neither a measurement nor a running unit with progress. A running unit
   * with progress counts for its own pace over what it has left; one without,
   * for its estimate less the time it has run, never below zero.
   */
  secondsLeft(): number | null {
    return this.sum(false);
  }

  /**
   * Seconds left for the units that can be estimated yet, leaving out the kinds not yet
   * measured: a lower bound while {@link secondsLeft} is null, equal to it afterwards.
   */
  secondsAtLeast(): number {
    return this.sum(true) ?? 0;
  }

  private sum(skipUnknown: boolean): number | null {
    let left = 0;
    for (const unit of this.units.values()) {
      if (unit.state === 'done') continue;
      const ran = unit.state === 'running' ? this.now() - unit.startedAt : 0;
      if (unit.state === 'running' && unit.fraction > 0) {
        left += (ran * (1 - unit.fraction)) / unit.fraction;
        continue;
      }
      const rate = this.rate(unit.kind);
      if (rate === null) {
        if (skipUnknown) continue;
        return null;
      }
      left += Math.max(0, rate * unit.size - ran);
    }
    return left;
  }

  /** Seconds per unit of size: measured, else the pace of running units. */
  private rate(kind: WorkKind): number | null {
    const { seconds, size } = this.measured[kind];
    if (size > 0) return seconds / size;
    let projected = 0;
    let running = 0;
    for (const unit of this.units.values()) {
      if (unit.kind !== kind || unit.state !== 'running' || unit.fraction === 0) continue;
      projected += (this.now() - unit.startedAt) / unit.fraction;
      running += unit.size;
    }
    return running > 0 ? projected / running : null;
  }

  private unit(id: string): Unit {
    const unit = this.units.get(id);
    if (!unit) throw new SemiprivError('SP_INTERNAL', `Eta: no planned unit "${id}"`);
    return unit;
  }
}

/** Seconds as `1 h 02 min`, `3 min 05 s` or `42 s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}
