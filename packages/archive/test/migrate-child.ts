// Run as its own process by the concurrent-migration tests: opens the archive at argv[2],
// migrates, and stores one record at dead-letter (and original) offset argv[3]. It imports the
// archive and its records only, not the test helpers, so that four of them start in a few seconds.
import { openArchiveStore } from '@ricochet/archive';
import { createLogger } from '@ricochet/logger';
import { makeInput } from './record-input.js';

const [url, offset] = process.argv.slice(2);
const store = await openArchiveStore(url ?? '', {
  logger: createLogger({ service: 'archive', level: 'error', format: 'pretty' }),
});
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
