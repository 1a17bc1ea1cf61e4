import { expect } from 'chai';
import { join } from 'node:path';
import { readSettings, repositoryRoot } from '../src/settings.js';

describe('bench settings', () => {
  const committedReport = join(repositoryRoot, 'docs', 'benchmarks.md');

  it('rewrites the committed results only for a full run of every scenario', () => {
    const full = readSettings([]);
    expect(full.reportFile).to.equal(committedReport);
    expect(full.outputDirectory).to.equal(join(repositoryRoot, 'docs', 'benchmarks'));
    for (const argv of [['--only', 'console'], ['--smoke'], ['--output', '/tmp/elsewhere']]) {
      const partial = readSettings(argv);
      expect(partial.reportFile, argv.join(' ')).to.not.equal(committedReport);
      expect(partial.outputDirectory, argv.join(' ')).to.not.equal(
        join(repositoryRoot, 'docs', 'benchmarks'),
      );
    }
    expect(readSettings(['--only', 'console,io-bound']).only).to.deep.equal([
      'console',
      'io-bound',
    ]);
  });
});
