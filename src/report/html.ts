/**
 * The report as one self-contained HTML page: inline styles, figures as inline
 * SVG or PNG data URIs, and a small script that marks each figure as drawn once
 * the page has laid it out with a non-zero size, so that a headless browser can
 * check the page.
 */
import { counted, incompleteSentence, type ReportDocument, type ReportFigure } from './document.js';
import type { ReportTable } from './tables.js';

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px;
  padding: 0 1em; color: #222; }
h1, h2, h3 { line-height: 1.2; }
table { border-collapse: collapse; margin: 1em 0 2em; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.4em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.7em; }
th { background: #f4f4f4; }
td.num { text-align: right; }
figure { margin: 1.5em 0 2.5em; }
figure img { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.92em; margin-top: 0.4em; }
.notes { color: #444; font-size: 0.93em; }
`;

/**
 * Marks every figure: `data-rendered="yes"` when its SVG or image has a
 * non-zero size (and an image has decoded), and on the body
 * `data-figures="drawn/total"`.
 */
const CHECK_SCRIPT = `
window.addEventListener('load', () => {
  const figures = Array.from(document.querySelectorAll('figure[data-figure]'));
  let drawn = 0;
  for (const figure of figures) {
    const element = figure.querySelector('svg, img');
    const box = element ? element.getBoundingClientRect() : { width: 0, height: 0 };
    const decoded = !element || element.tagName !== 'IMG' ||
      (element.complete && element.naturalWidth > 0);
    const ok = box.width > 0 && box.height > 0 && decoded;
    figure.dataset.rendered = ok ? 'yes' : 'no';
    if (ok) drawn++;
  }
  document.body.dataset.figures = drawn + '/' + figures.length;
});
`;

/**
 * Writes the report as HTML.
 *
 * @example
 * await writeFile('report.html', reportHtml(document));
 */
export function reportHtml(doc: ReportDocument): string {
  const { results } = doc;
  const body: string[] = [
    '<h1>semipriv experiment report</h1>',
    `<p>A reproduction of <cite>${escape(results.paper.title)}</cite> ` +
      `(${escape(results.paper.authors)}) with semipriv. ` +
      `Generated ${escape(results.generated)} from ${counted(results.cells.length, 'cell')}.</p>`,
  ];
  const incomplete = incompleteSentence(results.missing);
  if (incomplete) body.push(`<p><strong>Incomplete:</strong> ${escape(incomplete)}</p>`);

  for (const section of doc.sections) {
    body.push(`<h2 id="${section.dataset}">${escape(section.dataset)}</h2>`);
    body.push(tableHtml(section.accuracy));
    for (const table of section.separability) body.push(tableHtml(table));
    for (const figure of section.figures) body.push(figureHtml(figure));
  }

  body.push('<h2>How to read the numbers</h2>', '<div class="notes">');
  for (const note of doc.notes) body.push(`<p>${escape(note)}</p>`);
  body.push('</div>', '<h2>Run</h2>');
  for (const table of doc.about) body.push(tableHtml(table));

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>semipriv experiment report</title>',
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    `<script>${CHECK_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function tableHtml(table: ReportTable): string {
  const head = table.headers.some((h) => h !== '')
    ? `<thead><tr>${table.headers.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead>`
    : '';
  const rows = table.rows.map((row) => {
    const cells = row.map((cell, c) => {
      const cls = table.numeric[c] ? ' class="num"' : '';
      return `<td${cls}>${escape(cell)}</td>`;
    });
    return `<tr>${cells.join('')}</tr>`;
  });
  return [
    '<table>',
    `<caption>${escape(table.caption)}</caption>`,
    head,
    `<tbody>${rows.join('\n')}</tbody>`,
    '</table>',
  ].join('\n');
}

function figureHtml(figure: ReportFigure): string {
  const { chart } = figure;
  const image =
    figure.embed === 'svg'
      ? uniqueIds(chart.svg, figure.id)
      : `<img alt="${escape(figure.title)}" width="${chart.width}" height="${chart.height}" ` +
        `src="data:image/png;base64,${Buffer.from(chart.png).toString('base64')}">`;
  return [
    `<figure id="${figure.id}" data-figure="${figure.id}">`,
    image,
    `<figcaption><strong>${escape(figure.title)}.</strong> ${escape(figure.caption)}` +
      '</figcaption>',
    '</figure>',
  ].join('\n');
}

/**
 * Prefixes the ids inside an SVG (Vega's clip paths and gradients) with the
 * figure's id: ids are global to a page, and two inline charts may otherwise
 * share one.
 */
export function uniqueIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

/** Text made safe for HTML content and attribute values. */
export function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
