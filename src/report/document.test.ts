import { describe, expect, it } from 'vitest';
import { counted, incompleteSentence } from './document.js';

describe('counted', () => {
  it('uses the singular for one and the plural otherwise', () => {
    expect(counted(1, 'cell')).toBe('1 cell');
    expect(counted(0, 'cell')).toBe('0 cells');
    expect(counted(12, 'cell')).toBe('12 cells');
  });
});

describe('incompleteSentence', () => {
  it('is null when no cell is missing', () => {
    expect(incompleteSentence([])).toBeNull();
  });

  it('agrees the verb with the number of missing cells', () => {
    expect(incompleteSentence(['a', 'b'])).toBe('2 cells of the grid are not finished yet: a, b.');
    expect(incompleteSentence(['a'])).toBe('1 cell of the grid is not finished yet: a.');
  });
});
