// The ladder case, shared by the pipeline suite (each redelivery target) and the mixed-driver
// suite (a main consumer on one driver, delay services on the other).
import { expect } from 'chai';
import { redeliveryTopic, RetryHeader, type HeaderValue } from '@ricochet/core';
import type { KafkaDriver } from '@ricochet/kafka';
import type { Redelivery } from '@ricochet/main-consumer/defaults';
import { createTestTopics, produceRecords, uniqueName, waitFor } from '@ricochet/testing';
import type { PipelineFixture } from './pipeline-fixture.js';

export function header(
  headers: Record<string, HeaderValue | HeaderValue[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name];
  return value === undefined || Array.isArray(value) ? undefined : value.toString();
}

export function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

/**
 * The ladder case: records that fail k times (k = 0..4, four of each) through the pipeline's
 * tiers, each retried until it succeeds or, after 4 failures, dead-lettered with the whole
 * contract; never early. The main consumer takes `options` (its redelivery target, its driver).
 */
export async function retryLadderCase(
  pipeline: PipelineFixture,
  options: { readonly redelivery: Redelivery; readonly driver?: KafkaDriver },
): Promise<void> {
  const { redelivery } = options;
  const topic = uniqueName('orders');
  const groupId = uniqueName('group');
  const redeliveredFrom = new Set<string>();
  await createTestTopics([topic], 3);
  const failuresPlanned = new Map<string, number>();
  for (let k = 0; k <= 4; k += 1) {
    for (let copy = 0; copy < 4; copy += 1) {
      failuresPlanned.set(`k${k}-${copy}`, k);
    }
  }
  const calls = new Map<string, number>();
  const succeeded = new Set<string>();
  const lateness: number[] = [];
  await pipeline.startMain({
    topics: [topic],
    groupId,
    ...options,
    handler: (record) => {
      const id = record.key?.toString() ?? '';
      const call = (calls.get(id) ?? 0) + 1;
      calls.set(id, call);
      if (record.retry !== undefined) {
        lateness.push(Date.now() - record.retry.dueAt);
        redeliveredFrom.add(record.topic);
      }
      expect(record.tryCount).to.equal(call - 1);
      expect(record.headers).to.deep.equal({ 'user-header': Buffer.from(`user-${id}`) });
      if (call <= (failuresPlanned.get(id) ?? 0)) {
        throw new Error(`planned failure ${call} of ${id}`);
      }
      succeeded.add(id);
    },
  });
  await produceRecords(
    [...failuresPlanned.keys()].map((id) => ({
      topic,
      key: Buffer.from(id),
      value: Buffer.from(JSON.stringify({ id })),
      headers: { 'user-header': `user-${id}` },
    })),
  );

  const exhausted = [...failuresPlanned].filter(([, k]) => k === 4).map(([id]) => id);
  const deadLettered = await waitFor(
    'every record to succeed or be dead-lettered',
    () => {
      const mine = pipeline.deadLetters.filter(
        (record) => header(record.headers, RetryHeader.originalTopic) === topic,
      );
      return succeeded.size === failuresPlanned.size - exhausted.length &&
        mine.length === exhausted.length
        ? mine
        : undefined;
    },
    { timeoutMilliseconds: 60_000 },
  );

  for (const [id, k] of failuresPlanned) {
    expect(calls.get(id), `handler calls for ${id}`).to.equal(Math.min(k, 4) + (k < 4 ? 1 : 0));
  }
  for (const record of deadLettered) {
    const headers = record.headers;
    expect(header(headers, RetryHeader.tryCount)).to.equal('4');
    expect(header(headers, RetryHeader.deadLetterReason)).to.equal('retries-exhausted');
    expect(header(headers, RetryHeader.originalTopic)).to.equal(topic);
    expect(Number(header(headers, RetryHeader.originalPartition))).to.be.within(0, 2);
    expect(header(headers, RetryHeader.originalOffset)).to.match(/^\d+$/);
    expect(header(headers, RetryHeader.originalTimestamp)).to.match(/^\d+$/);
    expect(header(headers, RetryHeader.retryGroup)).to.equal(groupId);
    expect(header(headers, RetryHeader.errorClass)).to.equal('Error');
    expect(header(headers, RetryHeader.errorMessage)).to.match(/^planned failure 4 of k4-/);
    expect(header(headers, RetryHeader.errorStack)).to.contain('planned failure 4');
    expect(Number(header(headers, RetryHeader.firstFailureAt))).to.be.at.most(
      Number(header(headers, RetryHeader.lastFailureAt)),
    );
    expect(header(headers, RetryHeader.dueAt)).to.match(/^\d+$/);
    expect(header(headers, 'user-header')).to.equal(`user-${record.key?.toString()}`);
    expect(record.value?.toString()).to.equal(JSON.stringify({ id: record.key?.toString() }));
  }

  expect([...redeliveredFrom], 'where the redeliveries were read').to.deep.equal([
    redelivery === 'group' ? redeliveryTopic(groupId) : topic,
  ]);
  for (const record of deadLettered) {
    expect(header(record.headers, RetryHeader.redeliverTo)).to.equal(
      redelivery === 'group' ? redeliveryTopic(groupId) : undefined,
    );
  }
  const sorted = [...lateness].sort((a, b) => a - b);
  process.stderr.write(
    `      redelivery lateness over ${sorted.length} redeliveries (handler call - due-at): ` +
      `p50 ${percentile(sorted, 0.5)} ms, p99 ${percentile(sorted, 0.99)} ms, max ${sorted.at(-1)} ms\n`,
  );
  expect(sorted[0], 'no redelivery before due-at').to.be.at.least(0);
}
