import { readFileSync } from 'node:fs';

export interface ContractMetric {
  readonly name: string;
  readonly type: string;
  readonly labels: readonly string[];
}

const contractPath = new URL('../../../docs/operations-contract.md', import.meta.url);

const backticked = (cell: string): string[] =>
  [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);

/**
 * The rows of the "## Metrics" table of docs/operations-contract.md: name and labels are the
 * backticked words of their cells (a label cell may add a note in parentheses).
 */
export function contractMetrics(): ContractMetric[] {
  const text = readFileSync(contractPath, 'utf8');
  const section = text.split(/^## /m).find((part) => part.startsWith('Metrics\n'));
  if (section === undefined) {
    throw new Error(`no "## Metrics" section in ${contractPath.pathname}`);
  }
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  const [header, separator, ...body] = rows;
  if (header?.join() !== 'name,type,labels' || !separator?.every((cell) => /^-+$/.test(cell))) {
    throw new Error(`the Metrics table no longer has the columns name | type | labels`);
  }
  return body.map(([name = '', type = '', labels = '']) => ({
    name: backticked(name)[0] ?? '',
    type,
    labels: backticked(labels),
  }));
}
