/**
 * A worker process: runs the one side of a scenario named in its first argument (JSON) and
 * reports to the bench over IPC. Started by worker-process.ts, never by hand.
 */
import { consumeWithKafkajs, consumeWithKafkajsEachMessage } from './sides/kafkajs-consume.js';
import { consumeWithRicochet } from './sides/ricochet-consume.js';
import { retryWithAsyncRetry } from './sides/async-retry.js';
import { failOnceWithRicochet } from './sides/ricochet-fail-once.js';
import { retryWithRicochet } from './sides/ricochet-retry.js';
import type { WorkerMessage, WorkerRequest } from './worker-protocol.js';

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve())),
  );
}

async function run(request: WorkerRequest): Promise<unknown> {
  const ready = (): void => void send({ type: 'ready' });
  switch (request.side) {
    case 'ricochet-consume':
      return consumeWithRicochet(request);
    case 'kafkajs-consume':
      return consumeWithKafkajs(request);
    case 'kafkajs-each-message':
      return consumeWithKafkajsEachMessage(request);
    case 'ricochet-retry':
      return retryWithRicochet(request, ready);
    case 'async-retry':
      return retryWithAsyncRetry(request, ready);
    case 'ricochet-fail-once':
      return failOnceWithRicochet(request);
  }
}

// The worker exits as soon as its report is delivered: a client library's stray timer must not
// keep it, and with it the bench, waiting.
try {
  const request = JSON.parse(process.argv[2] ?? '') as WorkerRequest;
  await send({ type: 'result', result: await run(request) });
  process.exit(0);
} catch (error) {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  await send({ type: 'failed', message });
  process.exit(1);
}
