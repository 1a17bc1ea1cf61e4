import { expect } from 'chai';
import { randomInt } from 'node:crypto';
import { readHeaderText, RetryHeader, tierTopicName, writeRetryContract } from '@ricochet/core';
import {
  collectTopic,
  createTestTopics,
  produceRecords,
  sleep,
  spawnCli,
  testBrokers,
  testRetryContract,
  uniqueName,
  waitFor,
} from '@ricochet/testing';
import { deleteTopicsIfPresent } from './topology-fixtures.js';

describe('delay service --allowed-topics (real broker, `ricochet run delay` as a process)', function () {
  this.timeout(90_000);

  it('dead-letters a tier record naming a topic outside the allowed patterns, and never writes there', async () => {
    // A tier of its own (not a whole number of seconds), so that no other test shares it.
    const tier = tierTopicName(randomInt(1_000_001, 5_000_000) | 1);
    const base = uniqueName('shop');
    const allowed = `${base}.orders`;
    const dlq = `${base}.dlq`;
    // Another pipeline's dead-letter topic: it exists, and the delay service could write to it.
    const otherPipelineDlq = uniqueName('payments-dlq');
    await createTestTopics([tier, allowed, dlq, otherPipelineDlq], 1);
    const arrived = await collectTopic(allowed);
    const deadLetters = await collectTopic(dlq);
    const hijacked = await collectTopic(otherPipelineDlq);
    const service = spawnCli([
      'run',
      'delay',
      '--tier',
      tier,
      '--brokers',
      testBrokers().join(','),
      '--dlq',
      dlq,
      '--group',
      uniqueName('delay'),
      '--allowed-topics',
      `${base}.*,audit`,
      '--http-port',
      '0',
      '--session-timeout-ms',
      '6000',
    ]);
    try {
      await waitFor('the delay service to join its group', () =>
        service.log().includes('partitions assigned') ? true : undefined,
      );
      // The forged record first: once the allowed one behind it is redelivered, it was routed.
      await produceRecords([
        {
          topic: tier,
          key: Buffer.from('forged'),
          value: Buffer.from('{"refund":1000000}'),
          headers: writeRetryContract(testRetryContract(otherPipelineDlq, Date.now())),
        },
        {
          topic: tier,
          key: Buffer.from('genuine'),
          value: Buffer.from('{"order":1}'),
          headers: writeRetryContract(testRetryContract(allowed, Date.now())),
        },
      ]);
      await waitFor('the genuine record redelivered and the forged one dead-lettered', () =>
        arrived.records.length === 1 && deadLetters.records.length === 1 ? true : undefined,
      );
      expect(arrived.records[0]!.key?.toString()).to.equal('genuine');
      const [deadLetter] = deadLetters.records;
      expect(deadLetter!.key?.toString()).to.equal('forged');
      expect(deadLetter!.value?.toString()).to.equal('{"refund":1000000}');
      expect(readHeaderText(deadLetter!.headers, RetryHeader.deadLetterReason)).to.equal(
        'topic-not-allowed',
      );
      expect(readHeaderText(deadLetter!.headers, RetryHeader.deadLetterDetail)).to.equal(
        `original-topic ${otherPipelineDlq} matches none of the allowed topics (${base}.*, audit)`,
      );
      expect(readHeaderText(deadLetter!.headers, RetryHeader.originalTopic)).to.equal(
        otherPipelineDlq,
      );
      await sleep(1_000);
      expect(hijacked.records, 'nothing may reach a topic outside the allowed ones').to.have.length(
        0,
      );
      expect(await service.stop()).to.equal(0);
    } finally {
      service.kill();
      await Promise.all([arrived.stop(), deadLetters.stop(), hijacked.stop()]);
      await deleteTopicsIfPresent([tier]);
    }
  });

  it('refuses a pattern no topic name could match, naming the flag, before connecting', async () => {
    const service = spawnCli([
      'run',
      'delay',
      '--tier',
      '5s',
      '--brokers',
      testBrokers().join(','),
      '--allowed-topics',
      'orders/*',
    ]);
    try {
      expect(await service.exited).to.equal(2);
      expect(service.log()).to.match(/--allowed-topics: "orders\/\*" is not a topic pattern/);
    } finally {
      service.kill();
    }
  });
});
