import { createPartitionReader } from '@ricochet/kafka';
import { testKafka } from '@ricochet/testing';
const topic = process.argv[2]!;
const reader = await createPartitionReader(testKafka(), { topics: [topic] } as never);
for (const partition of [0, 1]) {
  const { earliest, end } = await reader.offsets(topic, partition);
  console.log('partition', partition, earliest, end);
  const t = Date.now();
  const timer = setTimeout(() => { console.log('still reading after 10s'); process.exit(1); }, 10000);
  await reader.read(topic, partition, earliest, end, (records) => { console.log('chunk', records.map((r) => r.offset).join(',')); });
  clearTimeout(timer);
  console.log('read in', Date.now() - t);
}
await reader.close();
