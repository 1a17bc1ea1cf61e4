import { expect } from 'chai';
import { setTimeout as sleepFor } from 'node:timers/promises';
import {
  NonRetryableError,
  redeliveryTopic,
  RetryHeader,
  type ConsumedRecord,
} from '@ricochet/core';
import { redeliveryChoices } from '@ricochet/main-consumer/defaults';
import { createTestTopics, produceRecords, uniqueName, waitFor } from '@ricochet/testing';
import { header, percentile, retryLadderCase } from './ladder-case.js';
import { startPipelineFixture, type PipelineFixture } from './pipeline-fixture.js';

describe('pipeline: main consumer, delay tiers and dead-letter hand-off (real broker)', function () {
  this.timeout(120_000);
  let pipeline: PipelineFixture;

  before(async () => {
    pipeline = await startPipelineFixture();
  });

  after(async () => {
    await pipeline?.stop();
  });

  for (const redelivery of redeliveryChoices) {
    it(`retries a record that fails k times (k = 0..3) until it succeeds, and dead-letters it after 4 failures, never early (redelivery ${redelivery})`, async () => {
      await retryLadderCase(pipeline, { redelivery });
    });
  }

  for (const redelivery of redeliveryChoices) {
    it(`serves retries while a source backlog drains, and never early (redelivery ${redelivery}${redelivery === 'group' ? ': within a quarter of the drain time' : ''})`, async () => {
      const topic = uniqueName('backlog');
      await createTestTopics([topic], 3);
      const total = 30_000;
      // Every hundredth record fails once: its retry comes due while the backlog drains.
      for (let start = 0; start < total; start += 5_000) {
        await produceRecords(
          Array.from({ length: 5_000 }, (_, index) => ({
            topic,
            key: Buffer.from(`k${start + index}`),
            value: Buffer.from((start + index) % 100 === 0 ? 'fail' : 'ok'),
            headers: {},
          })),
        );
      }
      /** Each retry's first call: a call again after a rebalance is at least once, not priority. */
      const lateness = new Map<string, number>();
      let succeeded = 0;
      const startedAt = Date.now();
      await pipeline.startMain({
        topics: [topic],
        redelivery,
        maxInFlight: 32,
        handler: async (record) => {
          const key = record.key!.toString();
          if (record.retry !== undefined && !lateness.has(key)) {
            lateness.set(key, Date.now() - record.retry.dueAt);
          }
          await sleepFor(2);
          if (record.value?.toString() === 'fail' && record.tryCount === 0) {
            throw new Error('fails once');
          }
          succeeded += 1;
        },
      });
      await waitFor('every record to succeed', () => (succeeded >= total ? true : undefined), {
        timeoutMilliseconds: 120_000,
      });
      const drainMilliseconds = Date.now() - startedAt;
      const sorted = [...lateness.values()].sort((a, b) => a - b);
      process.stderr.write(
        `      ${total} records in ${drainMilliseconds} ms; lateness of ${sorted.length} retries: ` +
          `p50 ${percentile(sorted, 0.5)} ms, p99 ${percentile(sorted, 0.99)} ms, max ${sorted.at(-1)} ms\n`,
      );
      expect(sorted).to.have.length(total / 100);
      expect(sorted[0], 'no redelivery before due-at').to.be.at.least(0);
      if (redelivery === 'group') {
        expect(percentile(sorted, 0.99), 'retries do not wait for the backlog').to.be.below(
          drainMilliseconds / 4,
        );
      }
    });
  }

  it('sends a NonRetryableError straight to the dead-letter topic with try_count=1', async () => {
    const topic = uniqueName('payments');
    await createTestTopics([topic], 1);
    let calls = 0;
    await pipeline.startMain({
      topics: [topic],
      handler: () => {
        calls += 1;
        throw new NonRetryableError('card number is not a number');
      },
    });
    await produceRecords([{ topic, key: Buffer.from('p1'), value: Buffer.from('x'), headers: {} }]);
    const [deadLetter] = await waitFor('the dead letter', () => {
      const mine = pipeline.deadLetters.filter(
        (record) => header(record.headers, RetryHeader.originalTopic) === topic,
      );
      return mine.length > 0 ? mine : undefined;
    });
    expect(calls).to.equal(1);
    expect(header(deadLetter!.headers, RetryHeader.tryCount)).to.equal('1');
    expect(header(deadLetter!.headers, RetryHeader.deadLetterReason)).to.equal(
      'non-retryable-error',
    );
    expect(header(deadLetter!.headers, RetryHeader.errorClass)).to.equal('NonRetryableError');
  });

  it('dead-letters a value that fails to decode, without calling the handler', async () => {
    const topic = uniqueName('decode');
    await createTestTopics([topic], 1);
    let calls = 0;
    await pipeline.startMain<unknown>({
      topics: [topic],
      decode: (value) => JSON.parse(value?.toString() ?? 'null') as unknown,
      handler: () => {
        calls += 1;
      },
    });
    await produceRecords([
      { topic, key: null, value: Buffer.from('{not json'), headers: {} },
      { topic, key: null, value: Buffer.from('{"ok":true}'), headers: {} },
    ]);
    const [deadLetter] = await waitFor('the dead letter', () => {
      const mine = pipeline.deadLetters.filter(
        (record) => header(record.headers, RetryHeader.originalTopic) === topic,
      );
      return mine.length > 0 && calls === 1 ? mine : undefined;
    });
    expect(header(deadLetter!.headers, RetryHeader.deadLetterReason)).to.equal('decode-failed');
    expect(header(deadLetter!.headers, RetryHeader.errorClass)).to.equal('SyntaxError');
  });

  for (const redelivery of redeliveryChoices) {
    it(`retries a failure in group A for A only; group B sees each record once (redelivery ${redelivery}: B reads ${redelivery === 'group' ? 'none' : 'each'} of A's retries)`, async () => {
      const topic = uniqueName('shared');
      await createTestTopics([topic], 2);
      /** Handler calls, and every record the group's consumer read and decided, skipped ones too. */
      const startGroup = async (groupId: string, failsFirstTry: boolean) => {
        const calls = new Map<string, number>();
        const read: ConsumedRecord[] = [];
        await pipeline.startMain({
          topics: [topic],
          groupId,
          redelivery,
          onOutcome: (_outcome, record) => read.push(record),
          handler: (record) => {
            const id = record.key!.toString();
            calls.set(id, (calls.get(id) ?? 0) + 1);
            if (failsFirstTry && record.tryCount === 0) {
              throw new Error('A fails once');
            }
          },
        });
        return { calls, read };
      };
      const groupA = uniqueName('group-a');
      const { calls: callsA, read: readA } = await startGroup(groupA, true);
      const { calls: callsB, read: readB } = await startGroup(uniqueName('group-b'), false);
      const ids = ['a', 'b', 'c', 'd'];
      await produceRecords(
        ids.map((id) => ({ topic, key: Buffer.from(id), value: Buffer.from(id), headers: {} })),
      );
      await waitFor('group A to succeed on its retry', () =>
        ids.every((id) => callsA.get(id) === 2) ? true : undefined,
      );
      await waitFor('B to have seen every original', () =>
        ids.every((id) => callsB.has(id)) ? true : undefined,
      );
      // Give B time to see the redelivered copies (which it must skip), if they reach it.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      for (const id of ids) {
        expect(callsB.get(id), `group B calls for ${id}`).to.equal(1);
      }
      const topicsRead = (records: readonly ConsumedRecord[]): string[] =>
        records.map((record) => record.topic).sort();
      if (redelivery === 'group') {
        expect(topicsRead(readA)).to.deep.equal(
          [...ids.map(() => topic), ...ids.map(() => redeliveryTopic(groupA))].sort(),
        );
        expect(topicsRead(readB), "B reads none of A's retries").to.deep.equal(
          ids.map(() => topic),
        );
      } else {
        // Each group reads the other's retries on the shared topic too, and skips them.
        expect(readA).to.have.length(2 * ids.length);
        expect(readB).to.have.length(2 * ids.length);
      }
      process.stderr.write(
        `      records read: group A ${readA.length}, group B ${readB.length} (${ids.length} produced)\n`,
      );
    });
  }
});
