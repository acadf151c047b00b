import { describe, expect, it } from 'vitest';
import { escape, uniqueIds } from './html.js';
import { tableMarkdown } from './markdown.js';

describe('uniqueIds', () => {
  it("prefixes an SVG's ids and every reference to them", () => {
    const svg =
      '<svg><clipPath id="clip1"><rect/></clipPath>' +
      '<g clip-path="url(#clip1)"><use href="#clip1"/></g></svg>';
    expect(uniqueIds(svg, 'fig')).toBe(
      '<svg><clipPath id="fig-clip1"><rect/></clipPath>' +
        '<g clip-path="url(#fig-clip1)"><use href="#fig-clip1"/></g></svg>',
    );
  });
});

describe('escape', () => {
  it('makes markup and quotes inert', () => {
    expect(escape('<b a="1">&</b>')).toBe('&lt;b a=&quot;1&quot;&gt;&amp;&lt;/b&gt;');
  });
});

describe('tableMarkdown', () => {
  it('writes a caption, a header, right-aligned numeric columns and escaped pipes', () => {
    const lines = tableMarkdown({
      caption: 'Accuracy',
      headers: ['method', 'value'],
      rows: [['a|b', '1.00']],
      numeric: [false, true],
    });
    expect(lines).toEqual([
      '**Accuracy**',
      '',
      '| method | value |',
      '| --- | ---: |',
      '| a\\|b | 1.00 |',
      '',
    ]);
  });
});
