import { describe, expect, it } from 'vitest';
import { Eta, formatDuration } from './eta.js';

/** An Eta on a clock the test moves by hand. */
function manual(): { eta: Eta; advance(seconds: number): void } {
  let now = 0;
  return { eta: new Eta(() => now), advance: (s) => (now += s) };
}

describe('Eta', () => {
  it('estimates a kind not measured yet from the pace of a running unit', () => {
    const { eta, advance } = manual();
    eta.plan('a/train', 'train', 100);
    eta.plan('b/train', 'train', 1000);
    eta.start('a/train');
    advance(30);
    expect(eta.secondsLeft()).toBeNull();
    eta.progress('a/train', 0.25);
    // a: 30 s for a quarter, 90 s to go; its pace, 120 s per 100 images, gives b 1200 s
    expect(eta.secondsLeft()).toBeCloseTo(90 + 1200, 10);
  });

  it('ignores progress of a unit that is not running', () => {
    const { eta, advance } = manual();
    eta.plan('a', 'cell', 1000);
    eta.plan('b', 'cell', 1000);
    eta.progress('b', 0.5);
    eta.start('a');
    advance(10);
    eta.progress('a', 0.5);
    // a: 10 s to go at its own pace; b: 20 s at a's pace, its own early progress ignored
    expect(eta.secondsLeft()).toBeCloseTo(10 + 20, 10);
  });

  it('knows nothing until every kind still to do has been measured', () => {
    const { eta } = manual();
    eta.plan('set/train', 'train', 100);
    eta.plan('cell', 'cell', 1000);
    expect(eta.secondsLeft()).toBeNull();
    eta.record('train', 100, 50);
    // cells still unmeasured
    expect(eta.secondsLeft()).toBeNull();
  });

  it('gives a lower bound from the kinds measured so far', () => {
    const { eta } = manual();
    eta.plan('set/train', 'train', 100);
    eta.plan('cell', 'cell', 1000);
    expect(eta.secondsAtLeast()).toBe(0);
    eta.record('train', 100, 50);
    expect(eta.secondsAtLeast()).toBeCloseTo(50, 10); // the cell is left out
    eta.record('cell', 1000, 30);
    expect(eta.secondsAtLeast()).toBeCloseTo(80, 10);
    expect(eta.secondsLeft()).toBeCloseTo(80, 10);
  });

  it('scales each kind by the size of what is left', () => {
    const { eta, advance } = manual();
    eta.plan('a/train', 'train', 100);
    eta.plan('b/train', 'train', 1000);
    eta.plan('a/cell', 'cell', 1000);
    eta.plan('a/cell2', 'cell', 3000);
    eta.record('cell', 2000, 10); // 0.005 s per labelled image, from an earlier run

    eta.start('a/train');
    advance(50);
    eta.finish('a/train'); // 0.5 s per image
    // 1000 × 0.5 + (1000 + 3000) × 0.005 = 500 + 20
    expect(eta.secondsLeft()).toBeCloseTo(520, 10);
  });

  it('takes the running time off the unit at work, but never below zero', () => {
    const { eta, advance } = manual();
    eta.plan('x', 'train', 100);
    eta.plan('y', 'train', 100);
    eta.record('train', 100, 100); // 1 s per image
    eta.start('x');
    advance(30);
    // x: 100 − 30, y: 100
    expect(eta.secondsLeft()).toBeCloseTo(170, 10);
    advance(500);
    expect(eta.secondsLeft()).toBeCloseTo(100, 10);
  });

  it('uses the seconds it is given over the clock, and forgets dropped units', () => {
    const { eta, advance } = manual();
    eta.plan('s1', 'score', 1);
    eta.plan('s2', 'score', 1);
    eta.plan('s3', 'score', 1);
    eta.start('s1');
    advance(99);
    eta.finish('s1', 4);
    eta.drop('s3');
    expect(eta.secondsLeft()).toBeCloseTo(4, 10);
    expect(() => eta.start('s3')).toThrow(/no planned unit "s3"/);
  });
});

describe('formatDuration', () => {
  it('writes hours and minutes, minutes and seconds, or seconds', () => {
    expect(formatDuration(3 * 3600 + 2 * 60 + 59)).toBe('3 h 02 min');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(41.6)).toBe('42 s');
    expect(formatDuration(-3)).toBe('0 s');
  });
});
