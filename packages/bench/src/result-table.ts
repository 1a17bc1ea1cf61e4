import { formatTable } from '@ricochet/cli';
import type { ResultRow } from './scenario.js';

export const resultHeadings = ['scenario', 'baseline', 'Ricochet', 'ratio', 'target'] as const;

/** The row's cells in `resultHeadings` order; the target cell says whether it was met. */
export function resultCells(row: ResultRow): string[] {
  const verdict = row.met === undefined ? '' : row.met ? ' (met)' : ' (missed)';
  return [
    row.scenario,
    row.baseline,
    row.ricochet,
    row.ratio === undefined ? '-' : row.ratio.toFixed(2),
    row.target === undefined ? '-' : `${row.target}${verdict}`,
  ];
}

export function formatResultTable(rows: readonly ResultRow[]): string {
  return formatTable(resultHeadings, rows.map(resultCells));
}
