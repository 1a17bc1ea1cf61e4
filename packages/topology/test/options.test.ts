import { expect } from 'chai';
import { ConfigError, parseTierLadder } from '@ricochet/core';
import { compileTopologyOptions, defaultPartitions } from '@ricochet/topology';
import { defaultDeadLetterRetentionMilliseconds } from '@ricochet/topology/internal';

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  expect.fail('expected a ConfigError');
}

describe('compileTopologyOptions', () => {
  it('fills the defaults that do not depend on the cluster', () => {
    const options = compileTopologyOptions();
    expect(options.ladder.map((tier) => tier.topic)).to.deep.equal([
      'retry-5s',
      'retry-1m',
      'retry-10m',
    ]);
    expect(options.deadLetterTopic).to.equal('dlq');
    expect(options.sourceTopics).to.deep.equal([]);
    expect(options.partitions).to.equal(defaultPartitions);
    expect(options.replicationFactor).to.equal(undefined);
    expect(options.minInsyncReplicas).to.equal(undefined);
    expect(options.tierRetentionMilliseconds).to.equal(undefined);
    expect(options.deadLetterRetentionMilliseconds).to.equal(
      defaultDeadLetterRetentionMilliseconds,
    );
  });

  it('accepts a parsed ladder as well as text', () => {
    const ladder = parseTierLadder('7s,13s');
    expect(compileTopologyOptions({ tiers: ladder }).ladder).to.equal(ladder);
    expect(compileTopologyOptions({ tiers: '7s,13s' }).ladder).to.deep.equal(ladder);
  });

  it('parses retentions given as text or milliseconds', () => {
    const options = compileTopologyOptions({ tierRetention: '2d', deadLetterRetention: 3_600_000 });
    expect(options.tierRetentionMilliseconds).to.equal(2 * 86_400_000);
    expect(options.deadLetterRetentionMilliseconds).to.equal(3_600_000);
  });

  it('drops repeated source topics', () => {
    const options = compileTopologyOptions({ sourceTopics: ['orders', 'payments', 'orders'] });
    expect(options.sourceTopics).to.deep.equal(['orders', 'payments']);
  });

  it('refuses an unparsable or non-increasing ladder, naming the field', () => {
    expect(configErrorOf(() => compileTopologyOptions({ tiers: '5x' })).message).to.include('"5x"');
    const error = configErrorOf(() => compileTopologyOptions({ tiers: '1m,5s' }));
    expect(error.field).to.equal('tiers');
    expect(error.message).to.include('not strictly increasing');
    expect(configErrorOf(() => compileTopologyOptions({ tiers: [] })).field).to.equal('tiers');
  });

  for (const field of ['partitions', 'replicationFactor', 'minInsyncReplicas'] as const) {
    for (const value of [0, -1, 1.5, Number.NaN, 40_000]) {
      it(`refuses ${field} ${value}`, () => {
        const error = configErrorOf(() => compileTopologyOptions({ [field]: value }));
        expect(error.field).to.equal(field);
        expect(error.message).to.include(String(value));
      });
    }
  }

  it('refuses more in-sync replicas than replicas', () => {
    const error = configErrorOf(() =>
      compileTopologyOptions({ replicationFactor: 2, minInsyncReplicas: 3 }),
    );
    expect(error.field).to.equal('minInsyncReplicas');
  });

  it('refuses a tier retention not longer than the longest delay', () => {
    const error = configErrorOf(() =>
      compileTopologyOptions({ tiers: '5s,1m,10m', tierRetention: '10m' }),
    );
    expect(error.field).to.equal('tierRetention');
    expect(error.message).to.include('retry-10m');
    expect(compileTopologyOptions({ tierRetention: '11m' }).tierRetentionMilliseconds).to.equal(
      660_000,
    );
  });

  it('refuses a retention that is not a duration', () => {
    expect(
      configErrorOf(() => compileTopologyOptions({ deadLetterRetention: 'soon' })).field,
    ).to.equal('deadLetterRetention');
    expect(configErrorOf(() => compileTopologyOptions({ tierRetention: -5 })).field).to.equal(
      'tierRetention',
    );
  });

  it('refuses topic names Kafka would refuse', () => {
    for (const name of ['', '.', '..', 'has space', 'a/b', 'x'.repeat(250)]) {
      expect(configErrorOf(() => compileTopologyOptions({ deadLetterTopic: name })).field).to.equal(
        'deadLetterTopic',
      );
      expect(configErrorOf(() => compileTopologyOptions({ sourceTopics: [name] })).field).to.equal(
        'sourceTopics',
      );
    }
  });

  it('refuses names that collide with Ricochet topics', () => {
    expect(
      configErrorOf(() => compileTopologyOptions({ deadLetterTopic: 'retry-5s' })).field,
    ).to.equal('deadLetterTopic');
    expect(configErrorOf(() => compileTopologyOptions({ sourceTopics: ['dlq'] })).field).to.equal(
      'sourceTopics',
    );
    expect(
      configErrorOf(() => compileTopologyOptions({ sourceTopics: ['retry-1m'] })).field,
    ).to.equal('sourceTopics');
  });

  it('names fields the way the caller spells them', () => {
    const error = configErrorOf(() =>
      compileTopologyOptions({ partitions: 0, fieldNames: { partitions: '--partitions' } }),
    );
    expect(error.field).to.equal('--partitions');
    expect(error.message).to.match(/^--partitions: /);
  });
});
