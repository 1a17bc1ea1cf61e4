import {
  presentHeaders,
  tooLargeDeadLetter,
  unroutableDeadLetter,
  type ConsumedRecord,
  type DeadLetterReason,
  type Logger,
  type OutgoingRecord,
  type RetryContract,
  type TopicPatterns,
} from '@ricochet/core';
import type { ReliablePublisher, TopicDirectory } from '@ricochet/kafka';
import type { DelayConsumerEvent } from './options.js';
import { isInternalTopic, redeliveryTarget } from './tier-record.js';

/** A record on its way out of the tier, with the event to report once it is acknowledged. */
export interface PendingRedelivery {
  readonly outgoing: OutgoingRecord;
  readonly route:
    | { readonly kind: 'redelivered'; readonly dueAt: number }
    | { readonly kind: 'dead-lettered'; readonly reason: DeadLetterReason };
}

/**
 * Where each tier record goes: back to its original topic, to its group's redelivery topic when
 * its `redeliver-to` names it, or to the dead-letter topic.
 */
export class RedeliveryRouter {
  readonly #topics: TopicDirectory;
  readonly #ricochetTopics: ReadonlySet<string>;
  readonly #dlqTopic: string;
  readonly #allowedTopics: TopicPatterns | undefined;
  readonly #logger: Logger;

  constructor(
    topics: TopicDirectory,
    route: {
      readonly tierTopic: string;
      readonly dlqTopic: string;
      readonly allowedTopics: TopicPatterns | undefined;
    },
    logger: Logger,
  ) {
    this.#topics = topics;
    this.#ricochetTopics = new Set([route.tierTopic, route.dlqTopic]);
    this.#dlqTopic = route.dlqTopic;
    this.#allowedTopics = route.allowedTopics;
    this.#logger = logger;
  }

  async redelivery(record: ConsumedRecord, contract: RetryContract): Promise<PendingRedelivery> {
    const target = contract.original.topic;
    if (isInternalTopic(target, this.#ricochetTopics)) {
      return this.deadLetter(
        record,
        'internal-original-topic',
        `original-topic ${target} is an internal or Ricochet topic`,
      );
    }
    if (this.#allowedTopics !== undefined && !this.#allowedTopics.matches(target)) {
      return this.deadLetter(
        record,
        'topic-not-allowed',
        `original-topic ${target} matches none of the allowed topics (${this.#allowedTopics.patterns.join(', ')})`,
      );
    }
    const destination = redeliveryTarget(contract);
    if (destination.kind === 'refused') {
      return this.deadLetter(record, 'redeliver-to-refused', destination.detail);
    }
    if (destination.kind === 'group' && isInternalTopic(destination.topic, this.#ricochetTopics)) {
      return this.deadLetter(
        record,
        'redeliver-to-refused',
        `redeliver-to ${destination.topic} is an internal or Ricochet topic`,
      );
    }
    const lookup = await this.#topics.lookup(destination.topic);
    if (!lookup.exists) {
      return destination.kind === 'group'
        ? this.deadLetter(
            record,
            'unknown-redelivery-topic',
            `redeliver-to ${destination.topic} does not exist; create it with ricochet topology create --group ${contract.retryGroup}`,
          )
        : this.deadLetter(
            record,
            'unknown-original-topic',
            `original-topic ${target} does not exist`,
          );
    }
    const { partition } = contract.original;
    return {
      outgoing: {
        topic: destination.topic,
        // To the partition it came from, unless the topic has fewer (recreated smaller, or a
        // redelivery topic created with fewer partitions than the source).
        ...(partition < lookup.partitions ? { partition } : {}),
        key: record.key,
        value: record.value,
        headers: presentHeaders(record.headers),
      },
      route: { kind: 'redelivered', dueAt: contract.dueAt },
    };
  }

  deadLetter(record: ConsumedRecord, reason: DeadLetterReason, detail: string): PendingRedelivery {
    this.#logger.warn('dead-lettering an unroutable tier record', {
      partition: record.partition,
      offset: record.offset,
      reason,
      detail,
    });
    return {
      outgoing: unroutableDeadLetter(record, this.#dlqTopic, reason, detail),
      route: { kind: 'dead-lettered', reason },
    };
  }

  /**
   * Publishes acknowledged, then reports each record's outcome. An original topic may refuse a
   * redelivery that its retry headers made too large: it goes to the dead-letter topic instead.
   */
  async publish(
    publisher: ReliablePublisher,
    pending: readonly PendingRedelivery[],
    onEvent: (event: DelayConsumerEvent) => void,
  ): Promise<void> {
    const diverted = await publisher.publish(
      pending.map((item) => item.outgoing),
      (refused) => tooLargeDeadLetter(refused, this.#dlqTopic),
    );
    const acknowledgedAt = Date.now();
    pending.forEach(({ outgoing, route }, index) => {
      onEvent(
        diverted.has(index)
          ? { type: 'dead-lettered', reason: 'record-too-large' }
          : route.kind === 'redelivered'
            ? {
                type: 'redelivered',
                topic: outgoing.topic,
                latenessMilliseconds: acknowledgedAt - route.dueAt,
              }
            : { type: 'dead-lettered', reason: route.reason },
      );
    });
  }
}
