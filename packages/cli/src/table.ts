import { escapeTerminalText } from '@ricochet/core';

/**
 * Columns padded to their widest cell, two spaces apart; the last column is not padded. Cells
 * often hold what a record carried: each is shown on one line, its control characters escaped.
 */
export function formatTable(
  headings: readonly string[],
  textRows: readonly (readonly string[])[],
): string {
  const rows = textRows.map((row) => row.map((cell) => escapeTerminalText(cell)));
  const widths = headings.map((heading, column) =>
    Math.max(heading.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    widths
      .map((width, column) => (cells[column] ?? '').padEnd(width))
      .join('  ')
      .trimEnd();
  return [line(headings), ...rows.map(line)].join('\n');
}
