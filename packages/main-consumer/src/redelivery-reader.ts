import { redeliveryGroup, type Logger } from '@ricochet/core';
import {
  CommittedOffsetReader,
  ServiceLifecycle,
  type ConsumerEvent,
  type KafkaClient,
  type ServiceConsumer,
} from '@ricochet/kafka';
import type { BatchRunShared } from './batch-run.js';
import { CrashGuards } from './crash-guards.js';

/**
 * One of the consumers a main consumer reads with: the source topics' (in the group), or with
 * `redelivery: 'group'` the redelivery topic's (in `redeliveryGroup`), each with the crash guards
 * of the partitions it owns and the commits of its own group session.
 */
export interface Reader {
  readonly lifecycle: ServiceLifecycle;
  readonly crashGuards: CrashGuards;
  readonly batchRunShared: BatchRunShared;
}

/** What the redelivery reader takes of its main consumer. */
export interface RedeliveryReaderContext {
  /** The main consumer's group. */
  readonly groupId: string;
  readonly maxHandlerCrashes: number;
  /** The instance's signature on its commit marks. */
  readonly signature: string;
  readonly logger: Logger;
  /** Everything the batch runs share but the commit, which goes through the reader's session. */
  readonly batchRunShared: Omit<BatchRunShared, 'commit'>;
  /** Every event of the reader's consumer, after the reader's own bookkeeping. */
  readonly onEvent: (event: ConsumerEvent) => void;
}

/**
 * The redelivery topic's reader (`redelivery: 'group'`): `consumer`, of the group's own
 * `redeliveryGroup` (the topic is the group's alone), so that its fetches never wait for the
 * source's batches; it commits through its own session, with crash guards over its own committed
 * offsets.
 */
export function createRedeliveryReader(
  kafka: KafkaClient,
  consumer: ServiceConsumer,
  context: RedeliveryReaderContext,
): Reader {
  const committedOffsets = new CommittedOffsetReader(kafka, redeliveryGroup(context.groupId));
  const crashGuards = new CrashGuards(
    committedOffsets,
    context.signature,
    context.maxHandlerCrashes,
    context.logger,
  );
  const lifecycle: ServiceLifecycle = new ServiceLifecycle(
    `redelivery reader of group ${context.groupId}`,
    context.logger,
    { consumer, helpers: [committedOffsets] },
    {
      onEvent: (event) => {
        if (event.type === 'assigned') {
          crashGuards.keepOnly(event.partitions);
        }
        context.onEvent(event);
      },
      onCrash: () => crashGuards.forgetAll(),
    },
  );
  return {
    lifecycle,
    crashGuards,
    batchRunShared: {
      ...context.batchRunShared,
      commit: (topic, partition, offset, metadata) =>
        lifecycle.commitBefore(topic, partition, offset, metadata),
    },
  };
}
