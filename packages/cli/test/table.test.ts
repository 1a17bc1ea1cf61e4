import { expect } from 'chai';
import { formatTable } from '../src/table.js';

describe('formatTable', () => {
  it('aligns every column to its widest cell and trims the line ends', () => {
    const table = formatTable(
      ['TOPIC', 'ROLE', 'PARTITIONS'],
      [
        ['retry-5s', 'tier', '3'],
        ['dlq', 'dead-letter', 'missing'],
      ],
    );
    expect(table.split('\n')).to.deep.equal([
      'TOPIC     ROLE         PARTITIONS',
      'retry-5s  tier         3',
      'dlq       dead-letter  missing',
    ]);
  });

  it('prints only the headings when there are no rows', () => {
    expect(formatTable(['A', 'B'], [])).to.equal('A  B');
  });
});
