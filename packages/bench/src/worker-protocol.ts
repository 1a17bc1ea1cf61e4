import type { KafkaDriver } from '@ricochet/kafka';
import type { Ordering } from '@ricochet/main-consumer/defaults';
import type { MeteredThroughput } from './statistics.js';

/** What the bench asks a worker process to run: one side of a scenario, in a process of its own. */
export type WorkerRequest = ConsumeRequest | RetryRequest | FailOnceRequest;

/** What every side's request carries: where the cluster is, and on which driver the side runs. */
interface SideConnection {
  readonly brokers: readonly string[];
  /**
   * The Kafka driver the side's clients run on: the Ricochet sides pass it to their services'
   * options. The baselines' sides (plain kafkajs, kafkajs-async-retry) are kafkajs clients, and
   * are only ever asked for `kafkajs`.
   */
  readonly driver: KafkaDriver;
}

export interface ConsumeRequest extends SideConnection {
  /** kafkajs's side: `eachBatch` as the happy path runs it, or `eachMessage` (autocommit). */
  readonly side: 'ricochet-consume' | 'kafkajs-consume' | 'kafkajs-each-message';
  readonly topic: string;
  readonly groupId: string;
  readonly records: number;
  /** How long the handler awaits per record; 0 for the synchronous no-op handler. */
  readonly handlerDelayMilliseconds: number;
  /** Partitions handled at once; unset for the side's own default. */
  readonly concurrency?: number;
  /** Ricochet's ordering mode; unset for its default. */
  readonly ordering?: Ordering;
  /** Records Ricochet handles at once across its partitions; unset for its default. */
  readonly maxInFlight?: number;
}

export interface RetryRequest extends SideConnection {
  readonly side: 'ricochet-retry' | 'async-retry';
  readonly topic: string;
  readonly groupId: string;
  readonly records: number;
  readonly delayMilliseconds: number;
  /** Ricochet's dead-letter topic; kafkajs-async-retry derives its own from the group. */
  readonly dlqTopic: string;
}

/**
 * Ricochet's main consumer, with the ordering asked, and the tier's delay consumer in one process,
 * on a filled topic whose records marked `failsOnceHeader` fail on their first delivery.
 */
export interface FailOnceRequest extends SideConnection {
  readonly side: 'ricochet-fail-once';
  readonly topic: string;
  readonly groupId: string;
  /** The delay consumer's group: the runs of a scenario share it, and the tier, one after another. */
  readonly delayGroupId: string;
  readonly records: number;
  readonly delayMilliseconds: number;
  readonly dlqTopic: string;
  readonly ordering: Ordering;
}

/** A fail-once side's report: the span to the last success, and how many records met each fate. */
export interface FailOnceResult extends MeteredThroughput {
  /** Records by outcome kind (`succeeded`, `sent-to-tier`, `waiting`, ...). */
  readonly outcomes: Readonly<Record<string, number>>;
}

/** A retry side's report: when (epoch milliseconds) the last record succeeded on redelivery. */
export interface RetryResult {
  readonly finishedAt: number;
  readonly failedFirst: number;
  readonly succeededOnRedelivery: number;
}

/** Messages from a worker to the bench. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly result: unknown }
  | { readonly type: 'failed'; readonly message: string };
