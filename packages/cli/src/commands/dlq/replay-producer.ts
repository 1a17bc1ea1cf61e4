import type { Logger } from '@ricochet/core';
import type { KafkaConnectionOptions } from '@ricochet/kafka';
import {
  openReplayPublisher,
  ReplayBrokersUnreachableError,
  type ReplayPublisher,
} from '@ricochet/replay';
import type { ConnectionDefaults } from '@ricochet/service-config';
import { commandLineConnectRetry, unreachableProblem } from '../../connection-options.js';
import { UsageError } from '../../exit-codes.js';

/** Defaults of the replay's connection settings: a wrong address must fail in seconds. */
export const replayConnectionDefaults: ConnectionDefaults = {
  clientId: 'ricochet-cli-replay',
  connectionTimeoutMs: 2_000,
};

/** A replay publisher for the command's run; a cluster nobody answers for is a usage error. */
export async function withReplayProducer<T>(
  connection: Omit<KafkaConnectionOptions, 'logger' | 'retry'>,
  logger: Logger,
  use: (publisher: ReplayPublisher) => Promise<T>,
): Promise<T> {
  let publisher: ReplayPublisher;
  try {
    publisher = await openReplayPublisher({
      ...connection,
      logger,
      retry: commandLineConnectRetry,
    });
  } catch (error) {
    // By code: this module and @ricochet/replay may hold different copies of the class.
    if ((error as { code?: unknown }).code === ReplayBrokersUnreachableError.code) {
      throw new UsageError(unreachableProblem(connection.brokers), { cause: error });
    }
    throw error;
  }
  try {
    return await use(publisher);
  } finally {
    await publisher.close();
  }
}
