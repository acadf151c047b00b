/**
 * The report as Markdown, for reading in a repository: the same tables as the
 * HTML page, and the figures as links to the PNG files beside it.
 */
import { counted, incompleteSentence, type ReportDocument } from './document.js';
import type { ReportTable } from './tables.js';

/**
 * Writes the report as Markdown; figures are linked as `figures/<id>.png`.
 *
 * @example
 * await writeFile('report.md', reportMarkdown(document));
 */
export function reportMarkdown(doc: ReportDocument): string {
  const { results } = doc;
  const lines: string[] = [
    '# semipriv experiment report',
    '',
    `A reproduction of _${results.paper.title}_ (${results.paper.authors}) with semipriv. ` +
      `Generated ${results.generated} from ${counted(results.cells.length, 'cell')}.`,
    '',
  ];
  const incomplete = incompleteSentence(results.missing);
  if (incomplete) lines.push(`**Incomplete:** ${incomplete}`, '');

  for (const section of doc.sections) {
    lines.push(`## ${section.dataset}`, '');
    lines.push(...tableMarkdown(section.accuracy));
    for (const table of section.separability) lines.push(...tableMarkdown(table));
    for (const figure of section.figures) {
      lines.push(`![${figure.title}](figures/${figure.id}.png)`, '');
      lines.push(`_${figure.title}._ ${figure.caption}`, '');
    }
  }

  lines.push('## How to read the numbers', '');
  for (const note of doc.notes) lines.push(note, '');
  lines.push('## Run', '');
  for (const table of doc.about) lines.push(...tableMarkdown(table));
  return `${lines.join('\n').trimEnd()}\n`;
}

/** A table in GitHub's pipe syntax, its caption in bold above it. */
export function tableMarkdown(table: ReportTable): string[] {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  const row = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  const rule = table.numeric.map((n) => (n ? '---:' : '---'));
  return [`**${table.caption}**`, '', row(table.headers), `| ${rule.join(' | ')} |`]
    .concat(table.rows.map(row))
    .concat(['']);
}
