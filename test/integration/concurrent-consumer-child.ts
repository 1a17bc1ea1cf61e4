// Test fixture, run as its own process (`node --import tsx --conditions ricochet-source`): a main
// consumer with the default ordering (key) and several records in flight. Its handler appends
// `<offset>` to the ledger file when a call starts; records whose key is the HANG_KEY environment
// variable never finish, so a test can kill the process while they hold the partition's prefix.
import { appendFileSync } from 'node:fs';
import { parseBrokerList } from '@ricochet/kafka';
import { createLogger } from '@ricochet/logger';
import { createMainConsumer } from '@ricochet/main-consumer';

const [topic, groupId, ledger] = process.argv.slice(2);
if (topic === undefined || groupId === undefined || ledger === undefined) {
  throw new Error('usage: concurrent-consumer-child <topic> <group-id> <ledger>');
}
const hangKey = process.env.HANG_KEY;
const consumer = createMainConsumer({
  brokers: parseBrokerList(process.env.KAFKA_BROKERS ?? '', 'KAFKA_BROKERS'),
  groupId,
  topics: [topic],
  tiers: '4321s',
  dlqTopic: `${groupId}-dlq`,
  fromBeginning: true,
  // Short, so the next process takes over the partition soon after this one is killed.
  sessionTimeoutMilliseconds: 6_000,
  commitIntervalMilliseconds: 100,
  handlerTimeoutMilliseconds: 600_000,
  maxInFlight: 16,
  logger: createLogger({ service: 'main', level: 'warn', format: 'json' }),
  handler: async (record) => {
    appendFileSync(ledger, `${record.offset}\n`);
    if (hangKey !== undefined && record.key?.toString() === hangKey) {
      await new Promise(() => {});
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  },
});
await consumer.start();
process.stderr.write('consumer running\n');
process.once('SIGTERM', () => void consumer.stop());
