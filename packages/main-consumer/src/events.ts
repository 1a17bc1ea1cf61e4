import type { ConsumerEvent } from '@ricochet/kafka';

/** The handler returned or threw for one record; `errorClass` is set when it threw. */
export interface HandlerFinished {
  readonly type: 'handled';
  readonly topic: string;
  readonly partition: number;
  readonly durationSeconds: number;
  readonly errorClass: string | undefined;
}

/** A record waited `seconds` for a free slot (`maxInFlight` records were in hand). */
export interface InFlightBlocked {
  readonly type: 'in-flight-blocked';
  readonly seconds: number;
}

/**
 * Ordering `key-strict`: the owned partitions' blocked keys changed (emitted on each change).
 * `oldestBlockedSince` is the epoch ms since which the longest-held key holds records back.
 */
export interface KeyStrictChanged {
  readonly type: 'key-strict';
  readonly blockedKeys: number;
  readonly waitingRecords: number;
  readonly oldestBlockedSince: number | undefined;
}

/** The dead-letter guard tripped (consumption paused) or resumed. */
export interface DeadLetterGuardChanged {
  readonly type: 'dead-letter-guard';
  readonly tripped: boolean;
}

/** What a main consumer reports as it works, besides each record's outcome: for metrics and tests. */
export type MainConsumerEvent =
  ConsumerEvent | HandlerFinished | InFlightBlocked | KeyStrictChanged | DeadLetterGuardChanged;
