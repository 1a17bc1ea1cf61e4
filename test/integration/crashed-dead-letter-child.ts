// Test fixture, run as its own process (`node --import tsx --conditions ricochet-source`): a main
// consumer whose handler kills its own process (`kill -9`) on the record keyed `poison`. With
// DIE_AFTER_DEAD_LETTER=1 it also kills itself as soon as a record is reported dead-lettered: the
// report comes once the dead letter is acknowledged and before the commit past the record, so the
// process dies exactly between the two.
import { parseBrokerList } from '@ricochet/kafka';
import { createLogger } from '@ricochet/logger';
import { createMainConsumer } from '@ricochet/main-consumer';

const [topic, groupId, dlqTopic] = process.argv.slice(2);
if (topic === undefined || groupId === undefined || dlqTopic === undefined) {
  throw new Error('usage: crashed-dead-letter-child <topic> <group-id> <dlq-topic>');
}
const dieAfterDeadLetter = process.env.DIE_AFTER_DEAD_LETTER === '1';
const consumer = createMainConsumer({
  brokers: parseBrokerList(process.env.KAFKA_BROKERS ?? '', 'KAFKA_BROKERS'),
  groupId,
  topics: [topic],
  tiers: '4321s',
  dlqTopic,
  fromBeginning: true,
  // Short, so the next process takes over the partition soon after this one is killed.
  sessionTimeoutMilliseconds: 6_000,
  maxHandlerCrashes: 1,
  handlerTimeoutMilliseconds: 600_000,
  logger: createLogger({ service: 'main', level: 'warn', format: 'json' }),
  onOutcome: (outcome) => {
    if (dieAfterDeadLetter && outcome.kind === 'dead-lettered') {
      process.stderr.write('dead letter acknowledged, dying before the commit\n');
      process.kill(process.pid, 'SIGKILL');
    }
  },
  handler: (record) => {
    if (record.key?.toString() === 'poison') {
      process.kill(process.pid, 'SIGKILL');
    }
  },
});
await consumer.start();
process.stderr.write('consumer running\n');
process.once('SIGTERM', () => void consumer.stop());
