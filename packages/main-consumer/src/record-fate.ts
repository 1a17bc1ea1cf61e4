/** How a record's fate is decided: by its processor or, under `key-strict`, its partition. */
import type { ConsumedRecord } from '@ricochet/core';
import type { RecordStep } from './crash-guard.js';
import type { KeyStrictPartition } from './key-strict-partition.js';
import type { RecordFate } from './record-outcome.js';
import type { RecordProcessor } from './record-processor.js';

/**
 * Handles the record (or dead-letters it unhandled when its crash-guard step says so); under
 * `key-strict`, the partition's state decides the fate, handling the record if due. Synchronous
 * when processing is.
 */
export function recordFate<TValue>(
  processor: RecordProcessor<TValue>,
  keyStrict: KeyStrictPartition | undefined,
  record: ConsumedRecord,
  step: RecordStep,
): RecordFate | Promise<RecordFate> {
  if (keyStrict === undefined) {
    return step.kind === 'dead-letter'
      ? processor.deadLetterCrashed(record, step.crashes)
      : processor.process(record);
  }
  return keyStrict.process(record, (taken) =>
    step.kind === 'dead-letter'
      ? processor.deadLetterCrashed(taken, step.crashes)
      : processor.process(taken),
  );
}
