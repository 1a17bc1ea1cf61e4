/** What the partitions of a `key-strict` main consumer share: topics, reader, publishing, slots. */
import type { ConsumedRecord, Logger, OutgoingRecord } from '@ricochet/core';
import type { PartitionReader } from '@ricochet/kafka';
import type { CarefulGate } from './careful-gate.js';
import type { PublishHandOffs } from './hand-offs.js';
import type { InFlightSlots } from './in-flight-slots.js';
import type { ProgressWatch } from './progress-watch.js';
import type { RecordOutcome } from './record-outcome.js';
import type { RecordProcessor } from './record-processor.js';

/** What the partitions of a `key-strict` main consumer share. */
export interface KeyStrictPartitionShared {
  readonly groupId: string;
  readonly logger: Logger;
  readonly blockedKeysTopic: string;
  readonly waitingTopic: string;
  readonly reader: PartitionReader;
  /** Publishes records acknowledged (state writes, waiting appends). */
  readonly publishState: (records: readonly OutgoingRecord[]) => Promise<unknown>;
  /** Publishes hand-offs acknowledged, diverting the too large to the dead-letter topic. */
  readonly publishHandOffs: PublishHandOffs;
  readonly slots: InFlightSlots;
  /** Shared with the batches: a careful call (a batch's or a drain's) runs alone in the process. */
  readonly carefulGate: CarefulGate;
  /** Shared with the batches: a drain step in hand counts as work waiting (stall detection). */
  readonly progress: ProgressWatch;
  /** Handles drained followers (and dead-letters them) as the batches handle records. */
  readonly processor: RecordProcessor<unknown>;
  readonly onOutcome: (outcome: RecordOutcome, record: ConsumedRecord) => void;
  /**
   * The drained followers whose handler call this process marked in their entry (by
   * `followerCallName`) and has not finished: a mark found here is no crash.
   */
  readonly followerCalls: Set<string>;
  /** Some key's entry changed: the gauges are emitted again. */
  readonly changed: () => void;
}
