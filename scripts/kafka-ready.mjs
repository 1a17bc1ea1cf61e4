// Exits 0 when the broker at argv[2] answers a metadata request, 1 otherwise. Used by
// scripts/kafka while it waits for a freshly started broker.
import kafkajs from 'kafkajs';

const broker = process.argv[2];
const kafka = new kafkajs.Kafka({
  brokers: [broker],
  clientId: 'ricochet-kafka-ready',
  connectionTimeout: 1000,
  requestTimeout: 2000,
  retry: { retries: 0 },
  logLevel: kafkajs.logLevel.NOTHING,
});
const admin = kafka.admin();
try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  await admin.disconnect();
  process.exit(cluster.brokers.length > 0 ? 0 : 1);
} catch {
  process.exit(1);
}
