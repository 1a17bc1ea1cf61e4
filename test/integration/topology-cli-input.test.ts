import { expect } from 'chai';
import { testBrokers } from '@ricochet/testing';
import { ricochet } from './topology-fixtures.js';

describe('ricochet topology refuses bad input with exit code 2 and a message naming the problem', function () {
  this.timeout(30_000);

  const cases: [string, string[], RegExp][] = [
    ['an unparsable ladder', ['--tiers', '5x'], /--tiers\[0\]: "5x" is not a duration/],
    [
      'a ladder not strictly increasing',
      ['--tiers', '1m,5s'],
      /--tiers: "1m,5s" is not strictly increasing/,
    ],
    [
      'a replication factor above the broker count',
      ['--replication-factor', '99'],
      /--replication-factor: 99 is more than the \d+ broker\(s\) in the cluster/,
    ],
    [
      'a partition count of zero',
      ['--partitions', '0'],
      /--partitions: must be a whole number from 1/,
    ],
    [
      'a negative partition count',
      ['--partitions', '-2'],
      /--partitions: must be a whole number from 1 to 32767, not -2/,
    ],
    [
      'a partition count that is not a number',
      ['--partitions', 'many'],
      /--partitions: "many" is not a whole number/,
    ],
    [
      'a retention shorter than a tier delay',
      ['--retention', '30s'],
      /--retention: 30s is not longer than the 10m delay of retry-10m/,
    ],
    [
      'a dead-letter topic name Kafka would refuse',
      ['--dlq', 'dead letters'],
      /--dlq: "dead letters" is not a valid topic name/,
    ],
    [
      'more in-sync replicas than replicas',
      ['--replication-factor', '1', '--min-insync-replicas', '2'],
      /--min-insync-replicas: 2 is more than the replication factor 1/,
    ],
    ['an unknown flag', ['--partition', '3'], /Unknown argument/],
  ];
  for (const [problem, flags, message] of cases) {
    it(problem, async () => {
      const run = await ricochet([
        'topology',
        'create',
        '--brokers',
        testBrokers().join(','),
        '--dry-run',
        ...flags,
      ]);
      expect(run.exitCode).to.equal(2);
      expect(run.stderr).to.match(message);
      expect(run.stdout).to.equal('');
    });
  }

  it('no broker given at all', async () => {
    const run = await ricochet(['topology', 'verify']);
    expect(run.exitCode).to.equal(2);
    expect(run.stderr).to.include('--brokers: no brokers given');
  });

  it('an unreachable broker, within a bounded time', async () => {
    const run = await ricochet(['topology', 'create', '--brokers', '127.0.0.1:1']);
    expect(run.exitCode).to.equal(2);
    expect(run.stderr).to.include('cannot reach Kafka at 127.0.0.1:1');
    expect(run.milliseconds).to.be.lessThan(15_000);
  });
});
