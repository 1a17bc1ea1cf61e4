// Exits 0 when the broker at argv[2] answers a metadata request, 1 otherwise. Used by
// scripts/kafka while it waits for a freshly started broker. With argv[3], the secure broker's
// secrets directory: it asks over SASL_SSL as the SCRAM user admin, trusting the test CA.
// With `--brokers N` (scripts/kafka-cluster), the answer must list N brokers: a cluster node
// lists only the brokers registered and unfenced in the metadata it has caught up with.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import kafkajs from 'kafkajs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { brokers: { type: 'string', default: '1' } },
});
const [broker, secrets] = positionals;
const expectedBrokers = Number(values.brokers);
const security =
  secrets === undefined
    ? {}
    : {
        ssl: { ca: readFileSync(join(secrets, 'ca.pem')) },
        sasl: {
          mechanism: 'scram-sha-512',
          username: 'admin',
          password: readFileSync(join(secrets, 'admin.password'), 'utf8').trim(),
        },
      };
const kafka = new kafkajs.Kafka({
  brokers: [broker],
  clientId: 'ricochet-kafka-ready',
  connectionTimeout: 1000,
  requestTimeout: 2000,
  retry: { retries: 0 },
  logLevel: kafkajs.logLevel.NOTHING,
  ...security,
});
const admin = kafka.admin();
try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  await admin.disconnect();
  process.exit(cluster.brokers.length >= expectedBrokers ? 0 : 1);
} catch {
  process.exit(1);
}
