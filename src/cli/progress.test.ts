import { afterEach, describe, expect, it } from 'vitest';
import { Progress, progressMode } from './progress.js';

const report = {
  epoch: 5,
  epochs: 5,
  losses: { reconstruction: 1, kl: 2, latentAdversarial: 3, imageAdversarial: 4, discriminator: 5 },
};

function capture(): { lines: string[]; stream: NodeJS.WriteStream } {
  const lines: string[] = [];
  const stream = { write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  return { lines, stream };
}

describe('Progress', () => {
  const saved = process.env.SEMIPRIV_LOG_FORMAT;
  afterEach(() => {
    if (saved === undefined) delete process.env.SEMIPRIV_LOG_FORMAT;
    else process.env.SEMIPRIV_LOG_FORMAT = saved;
  });

  it('writes plain lines off a terminal, and nothing when the logs are JSON', () => {
    const { stream } = capture();
    delete process.env.SEMIPRIV_LOG_FORMAT;
    expect(progressMode(stream)).toBe('lines');
    process.env.SEMIPRIV_LOG_FORMAT = 'json';
    expect(progressMode(stream)).toBe('off');
    expect(progressMode({ isTTY: true } as NodeJS.WriteStream)).toBe('redraw');
  });

  it('stays silent when off', () => {
    const { lines, stream } = capture();
    const progress = new Progress(stream, 'off');
    progress.phase('training clients');
    progress.clientEpoch(3, report);
    progress.clientDone(3, 1.5);
    progress.classifierEpoch(10, 10, 0.25);
    progress.finish();
    expect(lines).toEqual([]);
  });

  it('writes one line per event worth a line', () => {
    const { lines, stream } = capture();
    const progress = new Progress(stream, 'lines');
    progress.phase('training clients');
    progress.clientEpoch(3, report);
    progress.clientDone(3, 1.5);
    expect(lines.map((l) => l.replace(/^\[\d+:\d\d\] /, ''))).toEqual([
      'training clients\n',
      'client 3 epoch 5/5 rec 1.00 kl 2.00 adv-z 3.00 adv-x 4.00 disc 5.00\n',
      'client 3 trained in 1.5 s\n',
    ]);
  });
});
