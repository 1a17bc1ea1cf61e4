import { expect } from 'chai';
import { defaultDeadLetterTopic } from '@ricochet/core';
import {
  settingDefinitions,
  type SettingDefinition,
  type SettingKey,
} from '@ricochet/service-config';
import { openArchiveStore } from '@ricochet/archive';
import { compileDelayConsumerOptions } from '@ricochet/delay-consumer/internal';
import { compileDlqArchiverOptions } from '@ricochet/dlq-archiver/internal';
import { compileMainConsumerOptions } from '@ricochet/main-consumer/internal';
import { testLogger } from '@ricochet/testing';
import { required, resolve } from './helpers.js';

// A service left to its defaults runs as the library left to its own: the settings take their
// defaults from the role packages, so the two cannot drift apart.
describe('the settings take their defaults from the role packages', () => {
  const logger = testLogger('role-defaults');

  it('delay: the values, the group and the help text are the delay consumer’s', () => {
    const config = resolve('delay', { flags: required.delay });
    const library = compileDelayConsumerOptions({ brokers: ['k:1'], tier: '5s', logger });
    expect({
      maxWaitMilliseconds: config.delay.maxWaitMs,
      readAheadMilliseconds: config.delay.readAheadMs,
      readAheadBytes: config.delay.readAheadBytes,
      groupId: config.delay.tiers[0]?.group,
      dlqTopic: config.dlqTopic,
      sessionTimeoutMilliseconds: config.sessionTimeoutMs,
      publishTimeoutMilliseconds: config.publishTimeoutMs,
    }).to.deep.equal({
      maxWaitMilliseconds: library.maxWaitMilliseconds,
      readAheadMilliseconds: library.readAheadMilliseconds,
      readAheadBytes: library.readAheadBytes,
      groupId: library.groupId,
      dlqTopic: library.dlqTopic,
      sessionTimeoutMilliseconds: library.sessionTimeoutMilliseconds,
      publishTimeoutMilliseconds: library.publishTimeoutMilliseconds,
    });
    expectHelpDefault('delay.maxWaitMs', library.maxWaitMilliseconds);
    expectHelpDefault('delay.readAheadMs', library.readAheadMilliseconds);
    expectHelpDefault('delay.readAheadBytes', library.readAheadBytes);
  });

  it('main: the values and the help text are the main consumer’s', () => {
    const config = resolve('main', { flags: required.main });
    const library = compileMainConsumerOptions({
      brokers: ['k:1'],
      groupId: 'billing',
      topics: ['orders'],
      handler: () => {},
      logger,
    });
    expect(config.main.concurrency).to.equal(library.concurrency);
    expect(config.main.fromBeginning).to.equal(library.fromBeginning);
    expect(config.dlqTopic).to.equal(library.dlqTopic);
    expect(config.sessionTimeoutMs).to.equal(library.sessionTimeoutMilliseconds);
    expect(config.kafka.connectionTimeoutMs).to.equal(
      library.connection.connectionTimeoutMilliseconds,
    );
    expect(config.kafka.requestTimeoutMs).to.equal(library.connection.requestTimeoutMilliseconds);
    expectHelpDefault('main.concurrency', library.concurrency);
    expectHelpDefault('main.fromBeginning', library.fromBeginning);
    expect(config.main.ordering).to.equal(library.ordering);
    expect(config.main.maxInFlight).to.equal(library.maxInFlight);
    expectHelpDefault('main.ordering', library.ordering);
    expect(config.main.redelivery).to.equal(library.redelivery);
    expectHelpDefault('main.redelivery', library.redelivery);
    expectHelpDefault('main.maxInFlight', library.maxInFlight);
    expect(config.main.maxWaitMs).to.equal(library.maxWaitMilliseconds);
    expectHelpDefault('main.maxWaitMs', library.maxWaitMilliseconds);
    expect(config.main.onDeadLetter).to.equal(library.onDeadLetter);
    expect(config.main.maxWaitingPerKey).to.equal(library.maxWaitingPerKey);
    expectHelpDefault('main.onDeadLetter', library.onDeadLetter);
    expectHelpDefault('main.maxWaitingPerKey', library.maxWaitingPerKey);
    expectHelpDefault('main.revokeGraceMs', library.revokeGraceMilliseconds);
    expectHelpDefault('main.handlerTimeoutMs', library.handlerTimeoutMilliseconds);
    expectHelpDefault('main.stallTimeoutMs', library.stallTimeoutMilliseconds);
    expectHelpDefault('main.maxHandlerCrashes', library.maxHandlerCrashes);
    expectHelpDefault('sessionTimeoutMs', library.sessionTimeoutMilliseconds);
    expectHelpDefault('publishTimeoutMs', library.publishTimeoutMilliseconds);
    expectHelpDefault('connectionTimeoutMs', library.connection.connectionTimeoutMilliseconds);
    expectHelpDefault('requestTimeoutMs', library.connection.requestTimeoutMilliseconds);
  });

  it('dlq: the group, the format and the fetch wait are the archiver’s, the topic is core’s', async () => {
    const config = resolve('dlq', { flags: required.dlq });
    const store = await openArchiveStore('sqlite::memory:', { logger });
    try {
      const library = compileDlqArchiverOptions({
        brokers: ['k:1'],
        store,
        searchableText: async () => null,
        logger,
      });
      expect(config.group).to.equal(library.groupId);
      expect(config.archiver.format).to.equal(library.format);
      expectHelpDefault('archiver.format', library.format);
      expect(config.archiver.maxWaitMs).to.equal(library.maxWaitMilliseconds);
      expectHelpDefault('archiver.maxWaitMs', library.maxWaitMilliseconds);
    } finally {
      await store.close();
    }
    expect(config.group).to.equal('ricochet-dlq-archiver');
    expect(config.dlqTopic).to.equal(defaultDeadLetterTopic);
    expectHelpDefault('dlqTopic', defaultDeadLetterTopic);
    expect(settingDefinitions.group.defaultText).to.equal(
      'delay: ricochet-delay-<tier>; dlq: ricochet-dlq-archiver',
    );
  });
});

function expectHelpDefault(key: SettingKey, libraryDefault: unknown): void {
  expect(libraryDefault, key).to.not.equal(undefined);
  const definition: SettingDefinition = settingDefinitions[key];
  expect(definition.defaultText, key).to.equal(String(libraryDefault));
}
