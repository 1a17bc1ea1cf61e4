import {
  createBulkProducer,
  type BulkProducer,
  type BulkRecord,
  type KafkaClient,
} from '@ricochet/kafka';

export interface RecordSource {
  readonly topic: string;
  readonly partitions: number;
  readonly value: Buffer;
  /** Extra headers of the record at `index` (e.g. a retry contract). */
  readonly headers?: (index: number) => Record<string, string>;
  /**
   * How many distinct keys the records spread over, each key in one partition as Kafka's own
   * partitioner keeps it; unset for a key of its own per record, round robin over the partitions.
   */
  readonly keys?: number;
}

/** Records per produce request, and requests in flight at once, when filling a topic. */
const bulkBatchRecords = 2_000;
const bulkRequestsInFlight = 4;

/**
 * The key (0 to keys - 1) of the record at `index`: MurmurHash3's finalizer of the index, so that
 * keys follow each other as records of many independent users do (a key comes back after a few
 * records as often as chance has it), and the same in every run.
 */
function keyIndexOf(index: number, keys: number): number {
  let hash = index;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85eb_ca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2_ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % keys;
}

function message(source: RecordSource, index: number): BulkRecord {
  const keyIndex = source.keys === undefined ? index : keyIndexOf(index, source.keys);
  return {
    key: `key-${keyIndex}`,
    value: source.value,
    // A key stays in one partition; keys (or records) go round robin, so partitions hold equal shares.
    partition: keyIndex % source.partitions,
    ...(source.headers === undefined ? {} : { headers: source.headers(index) }),
  };
}

async function withProducer<T>(
  kafka: KafkaClient,
  use: (producer: BulkProducer) => Promise<T>,
): Promise<T> {
  const producer = createBulkProducer(kafka);
  await producer.connect();
  try {
    return await use(producer);
  } finally {
    await producer.disconnect();
  }
}

/** Writes `count` records as fast as the broker takes them: big batches, several in flight. */
export async function fillTopic(
  kafka: KafkaClient,
  source: RecordSource,
  count: number,
): Promise<void> {
  await withProducer(kafka, async (producer) => {
    let next = 0;
    const sendBatches = async (): Promise<void> => {
      while (next < count) {
        const first = next;
        next = Math.min(count, next + bulkBatchRecords);
        const messages = [];
        for (let index = first; index < next; index += 1) {
          messages.push(message(source, index));
        }
        await producer.send(source.topic, messages);
      }
    };
    await Promise.all(Array.from({ length: bulkRequestsInFlight }, sendBatches));
  });
}

/**
 * Where the steady producer's next send ends (exclusive), given the records `sent` and the
 * records its schedule `owed` by now: what is owed, but at most `bulkBatchRecords` in one request.
 * A producer that fell seconds behind (on a busy machine) catches up in several requests: one
 * request of every record owed exceeded the broker's largest accepted batch
 * (`message.max.bytes`, 1 MiB by default) and failed the scenario.
 */
export function steadySendEnd(sent: number, owed: number): number {
  return Math.min(owed, sent + bulkBatchRecords);
}

/** How often the steady producer sends what its schedule owes. */
const steadyTickMilliseconds = 10;

/**
 * Writes `recordsPerSecond` for `seconds`, in small batches every few milliseconds; a slow send
 * is made up by the next batch, so the average rate holds. Resolves with the records written.
 */
export async function produceSteadily(
  kafka: KafkaClient,
  source: RecordSource,
  recordsPerSecond: number,
  seconds: number,
): Promise<number> {
  return withProducer(kafka, async (producer) => {
    const total = Math.round(recordsPerSecond * seconds);
    const startedAt = performance.now();
    let sent = 0;
    while (sent < total) {
      const owed = Math.min(
        total,
        Math.floor(((performance.now() - startedAt) / 1000) * recordsPerSecond),
      );
      const end = steadySendEnd(sent, owed);
      if (end > sent) {
        const messages = [];
        for (let index = sent; index < end; index += 1) {
          messages.push(message(source, index));
        }
        await producer.send(source.topic, messages);
        sent = end;
      }
      if (sent < owed) {
        // Behind schedule: the rest goes out now, not a tick later.
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, steadyTickMilliseconds));
    }
    return sent;
  });
}
