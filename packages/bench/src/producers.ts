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
}

/** Records per produce request, and requests in flight at once, when filling a topic. */
const bulkBatchRecords = 2_000;
const bulkRequestsInFlight = 4;

function message(source: RecordSource, index: number): BulkRecord {
  return {
    key: `key-${index}`,
    value: source.value,
    // Round robin, so that every partition holds the same share.
    partition: index % source.partitions,
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
      if (owed > sent) {
        const messages = [];
        for (let index = sent; index < owed; index += 1) {
          messages.push(message(source, index));
        }
        await producer.send(source.topic, messages);
        sent = owed;
      }
      await new Promise((resolve) => setTimeout(resolve, steadyTickMilliseconds));
    }
    return sent;
  });
}
