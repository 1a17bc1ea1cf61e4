// What the two drivers must agree on where one service writes and another reads: each pairing of
// writer and reader, against the real broker.
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { expect } from 'chai';
import {
  CommittedOffsetReader,
  createBulkProducer,
  createKafkaClient,
  createServiceConsumer,
  kafkaDrivers,
  type KafkaDriver,
} from '@ricochet/kafka';
import {
  collectTopic,
  createTestTopics,
  produceRecords,
  sleep,
  testBrokers,
  testLogger,
  uniqueName,
  waitFor,
} from '@ricochet/testing';

function clientOn(driver: KafkaDriver) {
  return createKafkaClient({ brokers: testBrokers(), driver, logger: testLogger('kafka') });
}

/**
 * A consumer on `driver` in a group of its own, on a new one-partition topic of `records` records,
 * once it has read one: a member that may commit. Its batches resolve nothing.
 */
async function memberReading(driver: KafkaDriver, name: string, records: number) {
  const topic = uniqueName(name);
  const groupId = uniqueName(`${name}-group`);
  await createTestTopics([topic], 1);
  await produceRecords(
    Array.from({ length: records }, () => ({ topic, key: null, value: null, headers: {} })),
  );
  const consumer = createServiceConsumer(clientOn(driver), {
    groupId,
    sessionTimeoutMilliseconds: 10_000,
    maxWaitMilliseconds: 100,
  });
  let read = false;
  await consumer.start({
    topics: [topic],
    fromBeginning: true,
    eachBatch: async () => {
      read = true;
    },
  });
  try {
    await waitFor('a record to be read', () => (read ? true : undefined));
  } catch (error) {
    await consumer.disconnect();
    throw error;
  }
  return { topic, groupId, consumer };
}

describe('the Kafka drivers against each other (real broker)', function () {
  this.timeout(60_000);

  for (const writer of kafkaDrivers) {
    for (const reader of kafkaDrivers) {
      it(`commit metadata written on ${writer} reads back unchanged on ${reader}`, async () => {
        const { topic, groupId, consumer } = await memberReading(writer, 'metadata', 1);
        // Lengths around the heap's 16-byte steps, up to a key-strict owner's (about 120 bytes):
        // the librdkafka addon's admin read metadata as a C string, so one written without a NUL
        // after it (by kafkajs) read on into the bytes after it, whole only where one was a NUL.
        const metadatas = [13, 24, 40, 56, 72, 88, 104, 120, 136].map(
          (length) => `{"owner":"${'a'.repeat(length - 12)}"}`,
        );
        const committed = new CommittedOffsetReader(clientOn(reader), groupId);
        try {
          await committed.connect();
        } catch (error) {
          await consumer.disconnect();
          throw error;
        }
        try {
          const readBack: (string | null)[] = [];
          for (const metadata of metadatas) {
            await consumer.commit(topic, 0, '1', metadata);
            readBack.push((await committed.read(topic, 0)).metadata);
          }
          expect(readBack).to.deep.equal(metadatas);
        } finally {
          await committed.disconnect();
          await consumer.disconnect();
        }
      });
    }
  }

  // The addon's commit with a callback is librdkafka's asynchronous commit: it called back once
  // the commit was queued, not done, so a read right after it could find the one before (CI saw
  // it once), and a crash right after it could lose a crash guard's mark.
  for (const driver of kafkaDrivers) {
    it(`a commit on ${driver} is on the broker once it resolves`, async () => {
      const { topic, groupId, consumer } = await memberReading(driver, 'commit-done', 40);
      const committed = new CommittedOffsetReader(clientOn('kafkajs'), groupId);
      try {
        await committed.connect();
        const stale: string[] = [];
        for (let offset = 1; offset <= 40; offset += 1) {
          await consumer.commit(topic, 0, String(offset), `mark-${offset}`);
          const found = await committed.read(topic, 0);
          if (found.metadata !== `mark-${offset}`) {
            stale.push(`${offset}: ${String(found.metadata)}`);
          }
        }
        expect(stale, 'reads that found an earlier commit').to.deep.equal([]);
      } finally {
        await committed.disconnect();
        await consumer.disconnect();
      }
    });
  }

  it('a group with a member on each driver shares the partitions between them and reads each record once', async () => {
    const topic = uniqueName('mixed-group');
    const groupId = uniqueName('mixed-group');
    await createTestTopics([topic], 4);
    const assigned = new Map<KafkaDriver, number[]>();
    const read: string[] = [];
    const members = kafkaDrivers.map((driver) => {
      const consumer = createServiceConsumer(clientOn(driver), {
        groupId,
        sessionTimeoutMilliseconds: 10_000,
        maxWaitMilliseconds: 100,
      });
      consumer.onGroupJoin((_group, assignment) => assigned.set(driver, assignment[topic] ?? []));
      return consumer;
    });
    try {
      for (const member of members) {
        await member.start({
          topics: [topic],
          fromBeginning: true,
          eachBatch: async (batch) => {
            for (const record of batch.records) {
              read.push(record.key?.toString() ?? '');
              batch.resolve(record.offset);
            }
          },
        });
      }
      await waitFor('both members to own two partitions each', () =>
        kafkaDrivers.every((driver) => assigned.get(driver)?.length === 2) ? true : undefined,
      );
      expect([...assigned.values()].flat().sort()).to.deep.equal([0, 1, 2, 3]);
      const keys = Array.from({ length: 40 }, (_, index) => `k${index}`);
      await produceRecords(
        keys.map((key, index) => ({
          topic,
          partition: index % 4,
          key: Buffer.from(key),
          value: null,
          headers: {},
        })),
      );
      await waitFor('every record to be read', () =>
        read.length >= keys.length ? true : undefined,
      );
      expect([...read].sort()).to.deep.equal([...keys].sort());
    } finally {
      await Promise.all(members.map((member) => member.disconnect()));
    }
  });

  // A test process, or a service beside a delay tier's, runs several consumers; on librdkafka each
  // poll waits for records on a thread of libuv's pool (4 threads), which the process's file,
  // DNS and librdkafka calls (connects, commits, seeks) share.
  for (const driver of kafkaDrivers) {
    it(`idle consumers leave libuv's thread pool to the process's other work on ${driver}`, async () => {
      const topic = uniqueName('idle');
      await createTestTopics([topic], 1);
      const consumers = Array.from({ length: 6 }, () =>
        createServiceConsumer(clientOn(driver), {
          groupId: uniqueName('idle-group'),
          sessionTimeoutMilliseconds: 10_000,
          maxWaitMilliseconds: 100,
        }),
      );
      try {
        await Promise.all(
          consumers.map((consumer) =>
            consumer.start({ topics: [topic], fromBeginning: true, eachBatch: async () => {} }),
          ),
        );
        await sleep(1_000);
        // A pool task per call: with every thread held by a poll waiting 500 ms, each waited
        // for polls to end (median 496 ms).
        const waits: number[] = [];
        for (let call = 0; call < 10; call += 1) {
          const startedAt = performance.now();
          await stat(import.meta.dirname);
          waits.push(performance.now() - startedAt);
        }
        waits.sort((a, b) => a - b);
        expect(waits[5]).to.be.below(200);
      } finally {
        await Promise.all(consumers.map((consumer) => consumer.disconnect()));
      }
    });
  }

  // librdkafka only: kafkajs, too, fetches a resumed partition after the fetch in flight, up to
  // the fetch wait later (about 4 s here); its services keep their own waits (docs/drivers.md).
  for (const driver of ['librdkafka'] as const) {
    it(`a resumed partition's records arrive within a second on ${driver}, with the services' 5 s fetch wait`, async () => {
      const topic = uniqueName('resumed');
      await createTestTopics([topic], 2);
      const consumer = createServiceConsumer(clientOn(driver), {
        groupId: uniqueName('resumed-group'),
        sessionTimeoutMilliseconds: 10_000,
        maxWaitMilliseconds: 5_000,
      });
      const arrivals = new Map<string, number>();
      let joined = false;
      consumer.onGroupJoin(() => {
        joined = true;
      });
      try {
        await consumer.start({
          topics: [topic],
          fromBeginning: true,
          eachBatch: async (batch) => {
            for (const record of batch.records) {
              arrivals.set(record.key?.toString() ?? '', Date.now());
              batch.resolve(record.offset);
            }
          },
        });
        await waitFor('the group join', () => (joined ? true : undefined));
        consumer.pause(topic, 0);
        await produceRecords([
          { topic, partition: 0, key: Buffer.from('held'), value: null, headers: {} },
        ]);
        // The fetch in flight (partition 1, empty) is the one a resume must not wait for.
        await sleep(1_000);
        const resumedAt = Date.now();
        consumer.resume(topic, 0);
        await waitFor('the resumed record', () => arrivals.get('held'), {
          timeoutMilliseconds: 10_000,
        });
        expect(arrivals.get('held')! - resumedAt).to.be.below(1_000);
      } finally {
        await consumer.disconnect();
      }
    });
  }

  // A delay tier holds every partition at times: then no fetch is in flight, and librdkafka's
  // fetch thread slept until its next round (up to a second) before fetching a resumed partition.
  for (const driver of ['librdkafka'] as const) {
    it(`a partition resumed while every partition is paused is fetched at once on ${driver}`, async () => {
      const topic = uniqueName('all-paused');
      await createTestTopics([topic], 1);
      const consumer = createServiceConsumer(clientOn(driver), {
        groupId: uniqueName('all-paused-group'),
        sessionTimeoutMilliseconds: 10_000,
        maxWaitMilliseconds: 50,
      });
      const arrivals = new Map<string, number>();
      try {
        await consumer.start({
          topics: [topic],
          fromBeginning: true,
          eachBatch: async (batch) => {
            for (const record of batch.records) {
              arrivals.set(record.key?.toString() ?? '', Date.now());
              batch.resolve(record.offset);
            }
          },
        });
        const waits: number[] = [];
        for (let round = 0; round < 5; round += 1) {
          consumer.pause(topic, 0);
          await produceRecords([
            { topic, partition: 0, key: Buffer.from(`round-${round}`), value: null, headers: {} },
          ]);
          await sleep(1_200);
          const resumedAt = Date.now();
          consumer.resume(topic, 0);
          await waitFor(`round ${round}'s record`, () => arrivals.get(`round-${round}`), {
            timeoutMilliseconds: 10_000,
          });
          waits.push(arrivals.get(`round-${round}`)! - resumedAt);
        }
        expect(
          Math.max(...waits),
          `resume to record, each round: ${waits.join(', ')} ms`,
        ).to.be.below(250);
      } finally {
        await consumer.disconnect();
      }
    });
  }

  // A delay tier pauses a partition at its first record not read ahead, and librdkafka drops what
  // it fetched ahead for a paused partition: with its default read-ahead (100,000 records a
  // partition, up to 16 MiB) each hold threw away and fetched again thousands of records, and a
  // tier at 2,000 records/s spent 200 µs of CPU a record (redelivery lateness p99 327 ms).
  for (const driver of kafkaDrivers) {
    it(`reads ahead about one fetch a partition when the fetch size is set, on ${driver}`, async () => {
      const topic = uniqueName('read-ahead');
      await createTestTopics([topic], 1);
      const value = Buffer.alloc(1_024);
      // Sends of 50 records (51 KiB): a fetch of 64 KiB takes one such batch at a time.
      for (let sent = 0; sent < 3_000; sent += 50) {
        await produceRecords(
          Array.from({ length: 50 }, () => ({ topic, key: null, value, headers: {} })),
        );
      }
      const maxBytesPerPartition = 65_536;
      const consumer = createServiceConsumer(clientOn(driver), {
        groupId: uniqueName('read-ahead-group'),
        sessionTimeoutMilliseconds: 10_000,
        maxWaitMilliseconds: 50,
        maxBytesPerPartition,
      });
      const batchSizes: number[] = [];
      let read = 0;
      try {
        await consumer.start({
          topics: [topic],
          fromBeginning: true,
          eachBatch: async (batch) => {
            // A slow first batch gives the client time to read ahead as far as it will.
            if (batchSizes.length === 0) {
              await sleep(1_000);
            }
            batchSizes.push(batch.records.length);
            read += batch.records.length;
            batch.resolve(batch.records[batch.records.length - 1]!.offset);
          },
        });
        await waitFor('every record', () => (read >= 3_000 ? true : undefined), {
          timeoutMilliseconds: 30_000,
        });
      } finally {
        await consumer.disconnect();
      }
      // The batch after the slow one holds what was read ahead meanwhile (librdkafka's poll may
      // go on collecting fetches that keep coming, so later batches are no measure of it).
      const recordsPerFetch = Math.ceil(maxBytesPerPartition / value.length);
      expect(batchSizes[1], `batch sizes: ${batchSizes.join(', ')}`).to.be.at.most(
        2 * recordsPerFetch,
      );
    });
  }

  it('a key lands on the same partition whichever driver produced it', async () => {
    const topic = uniqueName('placement');
    await createTestTopics([topic], 6);
    const keys = Array.from({ length: 60 }, (_, index) => `key-${index}`);
    for (const driver of kafkaDrivers) {
      const producer = createBulkProducer(clientOn(driver));
      await producer.connect();
      try {
        await producer.send(
          topic,
          keys.map((key) => ({ key, value: Buffer.from(driver) })),
        );
      } finally {
        await producer.disconnect();
      }
    }
    const placed = new Map<string, Set<number>>();
    const collected = await collectTopic(topic);
    try {
      await waitFor('every record', () =>
        collected.records.length >= keys.length * kafkaDrivers.length ? true : undefined,
      );
      for (const record of collected.records) {
        const key = record.key?.toString() ?? '';
        placed.set(key, (placed.get(key) ?? new Set()).add(record.partition));
      }
    } finally {
      await collected.stop();
    }
    for (const key of keys) {
      expect([...(placed.get(key) ?? [])], key).to.have.length(1);
    }
  });
});
