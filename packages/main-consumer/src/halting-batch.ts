import type { ConsumedBatch } from '@ricochet/kafka';

/**
 * The batch as a batch run sees it: no longer current once `halted()` says so, so that it starts
 * no record more, lets the running ones finish and commits what is done (as on a revoke); its
 * other records are fetched again once its partition is resumed.
 */
export function haltingBatch(batch: ConsumedBatch, halted: () => boolean): ConsumedBatch {
  return {
    topic: batch.topic,
    partition: batch.partition,
    records: batch.records,
    highWatermark: batch.highWatermark,
    readToEnd: batch.readToEnd,
    resolve: (offset) => batch.resolve(offset),
    heartbeat: () => batch.heartbeat(),
    isCurrent: () => !halted() && batch.isCurrent(),
  };
}
