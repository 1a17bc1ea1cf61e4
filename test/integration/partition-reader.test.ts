// The partition reader against the real broker: exact ranges, chunked delivery, early stops,
// offsets by timestamp, concurrent reads of two partitions, a compacted topic, and close().
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { ConsumedRecord, OutgoingRecord } from '@ricochet/core';
import {
  createKafkaClient,
  createPartitionReader,
  PartitionReadError,
  PartitionReaderClosedError,
  type PartitionReader,
} from '@ricochet/kafka';
import { kafkajsClientOf } from '@ricochet/kafka/kafkajs';
import {
  produceRecords,
  testConnection,
  testDriver,
  testKafka,
  testLogger,
  uniqueName,
  withAdmin,
} from '@ricochet/testing';

const partitions = 3;
const perPartition = 200;

function recordsFor(topic: string, partition: number, count: number, first = 0): OutgoingRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    topic,
    partition,
    key: Buffer.from(`key-${(first + index) % 7}`),
    value: Buffer.from(`${partition}/${first + index}`),
    headers: { position: `${partition}/${first + index}` },
  }));
}

/** Reads the range and returns the records with the number of chunks they came in. */
async function readRange(
  reader: PartitionReader,
  topic: string,
  partition: number,
  from: string,
  until: string,
): Promise<{ records: ConsumedRecord[]; chunks: number }> {
  const records: ConsumedRecord[] = [];
  let chunks = 0;
  await reader.read(topic, partition, from, until, (chunk) => {
    chunks += 1;
    records.push(...chunk);
  });
  return { records, chunks };
}

function offsetsOf(records: readonly ConsumedRecord[]): number[] {
  return records.map(({ offset }) => Number(offset));
}

function range(from: number, until: number): number[] {
  return Array.from({ length: until - from }, (_, index) => from + index);
}

describe('the partition reader against a real broker', function () {
  this.timeout(60_000);
  const topics: string[] = [];
  let topic: string;
  let reader: PartitionReader | undefined;

  async function createTopic(configs?: Record<string, string>): Promise<string> {
    const name = uniqueName('partition-reader');
    topics.push(name);
    await withAdmin((admin) =>
      admin.createTopics(
        [{ topic: name, partitions, replicationFactor: 1, ...(configs ? { configs } : {}) }],
        { waitForLeaders: true, timeoutMilliseconds: 10_000 },
      ),
    );
    return name;
  }

  before(async () => {
    topic = await createTopic();
    await produceRecords(
      range(0, partitions).flatMap((partition) => recordsFor(topic, partition, perPartition)),
    );
  });

  afterEach(async () => {
    await reader?.close();
    reader = undefined;
  });

  after(async () => {
    await withAdmin((admin) => admin.deleteTopics(topics, {}));
  });

  it('reads exact ranges at the start, the middle and the end, as consumed records', async () => {
    const started = Date.now();
    reader = await createPartitionReader(testKafka(), { topics: [topic] });
    process.stderr.write(`partition reader ready in ${Date.now() - started} ms\n`);
    expect(await reader.offsets(topic, 1)).to.deep.equal({
      earliest: '0',
      end: String(perPartition),
    });
    for (const [from, until] of [
      [0, 10],
      [57, 131],
      [perPartition - 5, perPartition],
      [0, perPartition],
    ] as const) {
      const { records } = await readRange(reader, topic, 1, String(from), String(until));
      expect(offsetsOf(records)).to.deep.equal(range(from, until));
    }
    const { records } = await readRange(reader, topic, 2, '3', '5');
    expect(
      records.map(({ topic: at, partition, value, key, headers }) => ({
        at,
        partition,
        value: value?.toString(),
        key: key?.toString(),
        position: headers.position?.toString(),
      })),
    ).to.deep.equal([
      { at: topic, partition: 2, value: '2/3', key: 'key-3', position: '2/3' },
      { at: topic, partition: 2, value: '2/4', key: 'key-4', position: '2/4' },
    ]);
    expect(records[0]?.timestamp).to.match(/^\d+$/);
  });

  it('returns at once for an empty range, and refuses a topic it was not given', async () => {
    reader = await createPartitionReader(testKafka(), { topics: [topic] });
    let calls = 0;
    await reader.read(topic, 0, '10', '10', () => {
      calls += 1;
    });
    await reader.read(topic, 0, '12', '3', () => {
      calls += 1;
    });
    expect(calls).to.equal(0);
    expect(() => reader?.read('another-topic', 0, '0', '1', () => undefined)).to.throw(
      /not one of the topics/,
    );
  });

  it('stops when onRecords returns false, and reads the partition again afterwards', async () => {
    reader = await createPartitionReader(testKafka(), { topics: [topic] });
    let calls = 0;
    await reader.read(topic, 0, '0', String(perPartition), () => {
      calls += 1;
      return false;
    });
    expect(calls).to.equal(1);
    const { records } = await readRange(reader, topic, 0, '150', '160');
    expect(offsetsOf(records)).to.deep.equal(range(150, 160));
  });

  it("rejects a read with onRecords's own error, and reads the partition again afterwards", async () => {
    reader = await createPartitionReader(testKafka(), { topics: [topic] });
    const refused = new Error('refused by onRecords');
    const outcome = await reader
      .read(topic, 0, '0', '50', () => {
        throw refused;
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(outcome).to.equal(refused);
    const { records } = await readRange(reader, topic, 0, '40', '45');
    expect(offsetsOf(records)).to.deep.equal(range(40, 45));
  });

  it('finds the first offset at or after a timestamp, and the end when there is none', async () => {
    const timed = await createTopic();
    await produceRecords(recordsFor(timed, 0, 5));
    await sleep(50);
    const between = Date.now();
    await sleep(50);
    await produceRecords(recordsFor(timed, 0, 4, 5));
    reader = await createPartitionReader(testKafka(), { topics: [timed] });
    expect(await reader.offsetForTimestamp(timed, 0, between)).to.equal('5');
    expect(await reader.offsetForTimestamp(timed, 0, 0)).to.equal('0');
    expect(await reader.offsetForTimestamp(timed, 0, Date.now() + 60_000)).to.equal('9');
    expect(await reader.offsetForTimestamp(timed, 1, between)).to.equal('0');
  });

  it('reads two partitions at once: a slow onRecords on one does not hold up the other', async () => {
    reader = await createPartitionReader(testKafka(), { topics: [topic] });
    let releaseSlow: () => void = () => undefined;
    const slowMayGoOn = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    const slowRecords: ConsumedRecord[] = [];
    const slow = reader.read(topic, 0, '0', String(perPartition), async (records) => {
      slowRecords.push(...records);
      await slowMayGoOn;
    });
    await sleep(200);
    const { records: fastRecords } = await readRange(reader, topic, 1, '0', String(perPartition));
    expect(offsetsOf(fastRecords)).to.deep.equal(range(0, perPartition));
    releaseSlow();
    await slow;
    expect(offsetsOf(slowRecords)).to.deep.equal(range(0, perPartition));
  });

  it('starts a read at once after the last one ended', async () => {
    reader = await createPartitionReader(testKafka(), { topics: [topic] });
    // Each read leaves the client fetching ahead at the partition's end; librdkafka fetched the
    // next read's partition only once that fetch returned, and held it 100 ms.
    const latencies: number[] = [];
    for (let read = 0; read < 11; read += 1) {
      const started = performance.now();
      let latency: number | undefined;
      await reader.read(topic, read % 2, '10', '20', () => {
        latency ??= performance.now() - started;
      });
      latencies.push(latency!);
    }
    latencies.sort((first, second) => first - second);
    process.stderr.write(`partition reader read start p50 ${latencies[5]!.toFixed(1)} ms\n`);
    expect(latencies[5]).to.be.below(50);
  });

  it('takes reads of one partition in turn', async () => {
    reader = await createPartitionReader(testKafka(), { topics: [topic] });
    const seen: string[] = [];
    await Promise.all([
      reader.read(topic, 2, '0', '100', async (records) => {
        seen.push(...records.map(({ offset }) => `first ${offset}`));
        await sleep(100);
      }),
      reader.read(topic, 2, '100', '120', (records) => {
        seen.push(...records.map(({ offset }) => `second ${offset}`));
      }),
    ]);
    expect(seen).to.deep.equal([
      ...range(0, 100).map((offset) => `first ${offset}`),
      ...range(100, 120).map((offset) => `second ${offset}`),
    ]);
  });

  it('loads a compacted, log-append-time topic partition from earliest to end', async () => {
    const compacted = await createTopic({
      'cleanup.policy': 'compact',
      'message.timestamp.type': 'LogAppendTime',
    });
    await withAdmin(async (admin) => {
      const [described] = await admin.describeConfigs([{ type: 'topic', name: compacted }]);
      const overrides = described?.entries
        .filter((entry) => entry.source === 'topic')
        .map(({ name, value }) => ({ name, value }));
      expect(overrides).to.deep.include.members([
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'message.timestamp.type', value: 'LogAppendTime' },
      ]);
    });
    const before = Date.now();
    await produceRecords([
      ...recordsFor(compacted, 1, 30),
      { topic: compacted, partition: 1, key: Buffer.from('key-0'), value: null, headers: {} },
    ]);
    reader = await createPartitionReader(testKafka(), { topics: [compacted] });
    const { earliest, end } = await reader.offsets(compacted, 1);
    expect({ earliest, end }).to.deep.equal({ earliest: '0', end: '31' });
    const { records } = await readRange(reader, compacted, 1, earliest, end);
    expect(offsetsOf(records)).to.deep.equal(range(0, 31));
    expect(records.at(-1)?.value).to.equal(null);
    expect(Number(records[0]?.timestamp)).to.be.at.least(before - 1_000);
  });

  it('ends a read in progress with an error when closed', async () => {
    reader = await createPartitionReader(testKafka(), { topics: [topic] });
    let delivered = 0;
    // Past the end: the read waits for records that never come.
    const pending = reader.read(topic, 0, '190', String(perPartition + 100), (records) => {
      delivered += records.length;
    });
    const outcome = pending.then(
      () => undefined,
      (error: unknown) => error,
    );
    await sleep(500);
    expect(delivered).to.equal(10);
    const queued = reader
      .read(topic, 0, '0', '1', () => undefined)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    // Closed twice at once, and again: each resolves (librdkafka's reader hung on the second).
    await Promise.all([reader.close(), reader.close()]);
    await reader.close();
    expect(await outcome).to.be.instanceOf(PartitionReaderClosedError);
    expect(await queued).to.be.instanceOf(PartitionReaderClosedError);
    reader = undefined;
  });

  it('ends a read in progress with a typed error carrying the cause when its consumer crashes', async () => {
    const doomed = await createTopic();
    await produceRecords(recordsFor(doomed, 0, 3));
    // Few retries: the consumer gives up on the deleted topic within a second or so.
    const kafka = createKafkaClient({
      ...testConnection(),
      logger: testLogger('partition-reader'),
      retry: { retries: 1, initialRetryTimeMilliseconds: 100, maxRetryTimeMilliseconds: 200 },
    });
    reader = await createPartitionReader(kafka, { topics: [doomed] });
    const outcome = reader
      .read(doomed, 0, '0', '100', () => undefined)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    await sleep(300);
    await withAdmin((admin) => admin.deleteTopics([doomed], {}));
    const error = await outcome;
    expect(error).to.be.instanceOf(PartitionReadError);
    expect((error as PartitionReadError).code).to.equal(PartitionReadError.code);
    expect((error as PartitionReadError).cause).to.be.instanceOf(Error);
    topics.splice(topics.indexOf(doomed), 1);
  });

  it('reads 10,000 records in chunks, committing no offset in its private group', async () => {
    const big = await createTopic();
    const count = 10_000;
    // 10,000 records of 250 bytes: more than the client fetches of a partition at once (1 MiB).
    const padding = Buffer.from('x'.repeat(250));
    const padded = recordsFor(big, 0, count).map((record) => ({
      ...record,
      value: Buffer.concat([record.value ?? Buffer.alloc(0), padding]),
    }));
    // In slices: one request of them all would be larger than the broker takes.
    for (let first = 0; first < count; first += 1_000) {
      await produceRecords(padded.slice(first, first + 1_000));
    }
    const prefix = uniqueName('reader-group');
    reader = await createPartitionReader(testKafka(), { topics: [big], groupIdPrefix: prefix });
    const started = Date.now();
    const { records, chunks } = await readRange(reader, big, 0, '0', String(count));
    process.stderr.write(
      `partition reader read ${count} records in ${Date.now() - started} ms (${chunks} chunks)\n`,
    );
    expect(offsetsOf(records)).to.deep.equal(range(0, count));
    expect(chunks).to.be.greaterThan(1);
    // An onRecords slower than the handler waits for: each chunk is detached, and the read moves
    // its partition on and resumes it afterwards.
    const slowStarted = Date.now();
    const slowOffsets: number[] = [];
    let slowChunks = 0;
    await reader.read(big, 0, '0', String(count), async (chunk) => {
      slowChunks += 1;
      slowOffsets.push(...offsetsOf(chunk));
      await sleep(50);
    });
    process.stderr.write(
      `partition reader read ${count} records with a 50 ms onRecords in ` +
        `${Date.now() - slowStarted} ms (${slowChunks} chunks)\n`,
    );
    expect(slowOffsets).to.deep.equal(range(0, count));
    const kafkajsAdmin = kafkajsClientOf(testKafka()).admin();
    await kafkajsAdmin.connect();
    const { groups } = await kafkajsAdmin.listGroups().finally(() => kafkajsAdmin.disconnect());
    const groupIds = groups.map(({ groupId }) => groupId).filter((id) => id.startsWith(prefix));
    // kafkajs's reader joins a private group; librdkafka's is assigned its partitions and never
    // joins one, and a commit would have made the broker list its group.
    expect(groupIds).to.have.length(testDriver() === 'librdkafka' ? 0 : 1);
    for (const groupId of groupIds) {
      const committed = await withAdmin((admin) => admin.fetchCommittedOffsets(groupId, big));
      expect(committed.map(({ offset }) => offset)).to.deep.equal([
        undefined,
        undefined,
        undefined,
      ]);
    }
  });
});
