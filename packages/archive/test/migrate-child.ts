// Run as its own process by the concurrent-migration tests: opens the archive at argv[2],
// migrates, and stores one record at dead-letter (and original) offset argv[3].
import { openArchiveStore } from '@ricochet/archive';
import { testLogger } from '@ricochet/testing';
import { makeInput } from './fixtures.js';

const [url, offset] = process.argv.slice(2);
const store = await openArchiveStore(url ?? '', { logger: testLogger('archive') });
try {
  await store.migrate();
  process.stdout.write(
    String(
      await store.insert([makeInput({ dlqOffset: offset ?? '0', originalOffset: offset ?? '0' })]),
    ),
  );
} finally {
  await store.close();
}
