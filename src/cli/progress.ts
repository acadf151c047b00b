/**
 * Live progress of a run. On a terminal: one line per client (epoch bar and losses) plus a
 * status line, redrawn in place. Elsewhere: a plain line at each fifth of a client's training
 * and at each phase, so logs stay short; none at all when the logs are JSON, so that a
 * machine reading stderr gets JSON only.
 */
import type { BibAeLosses } from '../model/bibae.js';
import type { EpochReport } from '../model/train.js';
import { logFormat } from './logging.js';

/** How progress shows: redrawn in place, as plain lines, or not at all. */
export type ProgressMode = 'redraw' | 'lines' | 'off';

/** The mode for `stream`: redrawn on a terminal, else lines unless the logs are JSON. */
export function progressMode(stream: NodeJS.WriteStream = process.stderr): ProgressMode {
  if (stream.isTTY === true) return 'redraw';
  return logFormat(process.env.SEMIPRIV_LOG_FORMAT) === 'json' ? 'off' : 'lines';
}

interface ClientLine {
  epoch: number;
  epochs: number;
  losses?: BibAeLosses;
  seconds?: number;
}

/** Progress display for `semipriv run`. */
export class Progress {
  private readonly mode: ProgressMode;
  private readonly stream: NodeJS.WriteStream;
  private readonly clients = new Map<number, ClientLine>();
  private status = '';
  private drawn = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly started = Date.now();

  constructor(stream: NodeJS.WriteStream = process.stderr, mode = progressMode(stream)) {
    this.stream = stream;
    this.mode = mode;
  }

  private get tty(): boolean {
    return this.mode === 'redraw';
  }

  /** Writes one plain line, unless progress is off. */
  private line(text: string): void {
    if (this.mode === 'lines') this.stream.write(`[${this.elapsed()}] ${text}\n`);
  }

  /** A new phase of the run. */
  phase(name: string): void {
    this.status = name;
    if (this.tty) this.schedule();
    else this.line(name);
  }

  /** A client finished an epoch. */
  clientEpoch(label: number, report: EpochReport): void {
    this.clients.set(label, { epoch: report.epoch, epochs: report.epochs, losses: report.losses });
    if (this.tty) {
      this.schedule();
      return;
    }
    const step = Math.max(1, Math.round(report.epochs / 5));
    if (report.epoch % step === 0 || report.epoch === report.epochs) {
      this.line(`client ${label} ${describe(report)}`);
    }
  }

  /** A client finished training. */
  clientDone(label: number, seconds: number): void {
    const line = this.clients.get(label) ?? { epoch: 0, epochs: 0 };
    this.clients.set(label, { ...line, seconds });
    if (this.tty) this.schedule();
    else this.line(`client ${label} trained in ${seconds.toFixed(1)} s`);
  }

  /** The classifier finished an epoch. */
  classifierEpoch(epoch: number, epochs: number, loss: number): void {
    this.status = `training classifier: epoch ${epoch}/${epochs}, loss ${loss.toFixed(4)}`;
    if (this.tty) this.schedule();
    else if (epoch === epochs || epoch % Math.max(1, Math.round(epochs / 5)) === 0) {
      this.line(this.status);
    }
  }

  /** Draws the final state and stops redrawing. */
  finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.tty) this.draw();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.draw();
    }, 150);
  }

  private draw(): void {
    const lines = [...this.clients.entries()]
      .sort(([a], [b]) => a - b)
      .map(([label, c]) => {
        const done = c.seconds !== undefined ? `done in ${c.seconds.toFixed(1)} s` : '';
        const losses = c.losses ? formatLosses(c.losses) : '';
        return `client ${String(label).padStart(2)} ${bar(c.epoch, c.epochs)} ${c.epoch}/${c.epochs} ${done || losses}`;
      });
    lines.push(`[${this.elapsed()}] ${this.status}`);
    // move up over the previous drawing, then rewrite each line
    let out = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const line of lines) out += `\x1b[2K${line.slice(0, (this.stream.columns ?? 120) - 1)}\n`;
    this.stream.write(out);
    this.drawn = lines.length;
  }

  private elapsed(): string {
    const s = Math.floor((Date.now() - this.started) / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }
}

function bar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function formatLosses(l: BibAeLosses): string {
  return (
    `rec ${l.reconstruction.toFixed(2)} kl ${l.kl.toFixed(2)} ` +
    `adv-z ${l.latentAdversarial.toFixed(2)} adv-x ${l.imageAdversarial.toFixed(2)} ` +
    `disc ${l.discriminator.toFixed(2)}`
  );
}

function describe(report: EpochReport): string {
  return `epoch ${report.epoch}/${report.epochs} ${formatLosses(report.losses)}`;
}
