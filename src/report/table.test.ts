import { describe, expect, it } from 'vitest';
import { SemiprivError } from '../errors.js';
import { formatTable } from './table.js';

describe('formatTable', () => {
  it('pads columns to the widest cell and right-aligns numbers', () => {
    const text = formatTable(
      ['client', 'AUROC'],
      [
        ['zero', 0.98],
        ['one', 0.9],
      ],
    );
    expect(text.split('\n')).toEqual([
      'client  AUROC',
      '------  -----',
      'zero     0.98',
      'one       0.9',
    ]);
  });

  it('widens a column for a long cell and left-aligns mixed ones', () => {
    const text = formatTable(
      ['n', 'acc'],
      [
        [1000, '0.91 ± 0.02'],
        [7, 'n/a'],
      ],
    );
    expect(text.split('\n')).toEqual([
      '   n  acc',
      '----  -----------',
      '1000  0.91 ± 0.02',
      '   7  n/a',
    ]);
  });

  it('follows the alignment it is given', () => {
    const align: ('left' | 'right')[] = ['left', 'right'];
    const text = formatTable(['k', 'name'], [[3, 'ab']], { align });
    expect(text.split('\n')).toEqual(['k  name', '-  ----', '3    ab']);
  });

  it('prints the header and rule alone when there are no rows', () => {
    const text = formatTable(['class', 'count'], []);
    expect(text).toBe('class  count\n-----  -----');
  });

  it('rejects ragged rows and an alignment of the wrong length', () => {
    const ragged = () => formatTable(['a', 'b'], [[1]]);
    expect(ragged).toThrow(/2 cells per row, received 1 in row 0/);
    const short = () => formatTable(['a'], [[1]], { align: [] });
    expect(short).toThrow(SemiprivError);
  });
});
