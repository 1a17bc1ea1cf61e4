import type { DeadLetterReason, OutgoingRecord } from '@ricochet/core';

/** What became of one source record. Every outcome means the record may be committed. */
export type RecordOutcome =
  | { readonly kind: 'succeeded'; readonly tryCount: number }
  | { readonly kind: 'skipped-other-group'; readonly retryGroup: string }
  | { readonly kind: 'sent-to-tier'; readonly topic: string; readonly tryCount: number }
  | {
      readonly kind: 'dead-lettered';
      readonly reason: DeadLetterReason;
      readonly tryCount: number;
    }
  /**
   * Ordering `key-strict`: handed to the waiting topic behind the record of its key at original
   * offset `blockerOffset` (or found there already); it is handled once that one is done.
   */
  | { readonly kind: 'waiting'; readonly blockerOffset: string };

/**
 * What processing decided for one source record: its outcome, and the record to hand on for it.
 * The outcome holds only once `handOff`, when there is one, is acknowledged by the broker.
 */
export interface RecordFate {
  readonly outcome: RecordOutcome;
  /**
   * The record for its tier or the dead-letter topic; undefined when there is none to hand on (the
   * handler succeeded, or the redelivery was another group's).
   */
  readonly handOff: OutgoingRecord | undefined;
}
