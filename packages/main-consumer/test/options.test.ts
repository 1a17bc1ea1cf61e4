import { expect } from 'chai';
import { ConfigError, redeliveryTopic } from '@ricochet/core';
import { defaultConsumerMaxWaitMilliseconds } from '@ricochet/kafka';
import type { MainConsumerOptions } from '@ricochet/main-consumer';
import {
  defaultMaxBytesPerPartition,
  defaultMaxWaitingPerKey,
  defaultOnDeadLetter,
  defaultRedelivery,
  onDeadLetterChoices,
  orderings,
  redeliveryChoices,
} from '@ricochet/main-consumer/defaults';
import { compileMainConsumerOptions } from '@ricochet/main-consumer/internal';
import { testLogger } from '@ricochet/testing';

function compile(overrides: Partial<MainConsumerOptions<Buffer | null>>) {
  return compileMainConsumerOptions<Buffer | null>({
    brokers: ['127.0.0.1:1'],
    groupId: 'billing',
    topics: ['orders'],
    logger: testLogger('main'),
    handler: () => {},
    ...overrides,
  });
}

function configErrorOf(overrides: Record<string, unknown>): ConfigError {
  try {
    compile(overrides as Partial<MainConsumerOptions<Buffer | null>>);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  return expect.fail('expected a ConfigError');
}

describe('compileMainConsumerOptions: key-strict', () => {
  it('accepts every ordering, key-strict among them', () => {
    expect(orderings).to.include('key-strict');
    for (const ordering of orderings) {
      expect(compile({ ordering }).ordering).to.equal(ordering);
    }
  });

  it('defaults onDeadLetter and maxWaitingPerKey', () => {
    const options = compile({ ordering: 'key-strict' });
    expect(options.onDeadLetter).to.equal(defaultOnDeadLetter).and.to.equal('release');
    expect(options.maxWaitingPerKey).to.equal(defaultMaxWaitingPerKey).and.to.equal(1000);
  });

  it('takes the choices given', () => {
    for (const onDeadLetter of onDeadLetterChoices) {
      expect(compile({ onDeadLetter }).onDeadLetter).to.equal(onDeadLetter);
    }
    expect(compile({ maxWaitingPerKey: 1 }).maxWaitingPerKey).to.equal(1);
  });

  it('refuses an unknown ordering or onDeadLetter, naming the field and the choices', () => {
    const ordering = configErrorOf({ ordering: 'strict' });
    expect(ordering.field).to.equal('ordering');
    expect(ordering.message).to.include('key-strict');
    const onDeadLetter = configErrorOf({ onDeadLetter: 'drop' });
    expect(onDeadLetter.field).to.equal('onDeadLetter');
    expect(onDeadLetter.message).to.include('release, dead-letter');
  });

  for (const maxWaitingPerKey of [0, -1, 1.5, Number.NaN]) {
    it(`refuses maxWaitingPerKey ${maxWaitingPerKey}, naming it`, () => {
      expect(configErrorOf({ maxWaitingPerKey }).field).to.equal('maxWaitingPerKey');
    });
  }
});

describe('compileMainConsumerOptions: maxWaitMilliseconds', () => {
  it('defaults to the Kafka client’s fetch wait and takes a shorter one', () => {
    expect(compile({}).maxWaitMilliseconds).to.equal(defaultConsumerMaxWaitMilliseconds);
    expect(compile({ maxWaitMilliseconds: 100 }).maxWaitMilliseconds).to.equal(100);
  });

  it('refuses a wait that is not a positive whole number, naming the field', () => {
    expect(configErrorOf({ maxWaitMilliseconds: 0 }).field).to.equal('maxWaitMilliseconds');
    expect(configErrorOf({ maxWaitMilliseconds: 1.5 }).field).to.equal('maxWaitMilliseconds');
  });
});

describe('compileMainConsumerOptions: maxBytesPerPartition', () => {
  it('defaults to the Kafka clients’ 1 MiB and takes another size', () => {
    expect(compile({}).maxBytesPerPartition).to.equal(defaultMaxBytesPerPartition);
    expect(defaultMaxBytesPerPartition).to.equal(1_048_576);
    expect(compile({ maxBytesPerPartition: 262_144 }).maxBytesPerPartition).to.equal(262_144);
  });

  it('refuses a size that is not a positive whole number, naming the field', () => {
    expect(configErrorOf({ maxBytesPerPartition: 0 }).field).to.equal('maxBytesPerPartition');
    expect(configErrorOf({ maxBytesPerPartition: 1.5 }).field).to.equal('maxBytesPerPartition');
  });
});

describe('compileMainConsumerOptions: redelivery', () => {
  it("defaults to 'source', with no redelivery topic", () => {
    const options = compile({});
    expect(options.redelivery).to.equal(defaultRedelivery).and.to.equal('source');
    expect(options.redeliveryTopic).to.equal(undefined);
  });

  it("names the group's redelivery topic with 'group'", () => {
    const options = compile({ redelivery: 'group' });
    expect(options.redeliveryTopic).to.equal(redeliveryTopic('billing'));
  });

  it('refuses an unknown choice, naming redelivery and the choices', () => {
    const error = configErrorOf({ redelivery: 'tier' });
    expect(error.field).to.equal('redelivery');
    expect(error.message).to.include(redeliveryChoices.join(', '));
  });

  it("refuses 'group' with ordering key-strict, naming redelivery", () => {
    const error = configErrorOf({ redelivery: 'group', ordering: 'key-strict' });
    expect(error.field).to.equal('redelivery');
    expect(error.message).to.include('key-strict');
    expect(compile({ redelivery: 'source', ordering: 'key-strict' }).ordering).to.equal(
      'key-strict',
    );
  });

  it("refuses 'group' when the redelivery topic is also a source topic", () => {
    const error = configErrorOf({
      redelivery: 'group',
      topics: ['orders', redeliveryTopic('billing')],
    });
    expect(error.field).to.equal('redelivery');
  });
});
