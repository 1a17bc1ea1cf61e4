import type { Argv } from 'yargs';
import { blockedKeysTopic, ConfigError, type Logger } from '@ricochet/core';
import {
  createAdmin,
  createKafkaClient,
  type KafkaAdmin,
  type KafkaClient,
  type ServiceConnectionOptions,
} from '@ricochet/kafka';
import type { ConnectionDefaults } from '@ricochet/service-config';
import { commandLineConnectRetry, unreachableProblem } from '../../connection-options.js';
import { UsageError } from '../../exit-codes.js';
import { withConnectionFlags } from '../../setting-flags.js';

/** A person waits on these commands: a wrong address must fail in seconds. */
export const orderConnectionDefaults: ConnectionDefaults = {
  clientId: 'ricochet-cli-order',
  connectionTimeoutMs: 2_000,
};

export interface GroupArguments {
  group: string;
  verbose: boolean;
}

export function withGroupArguments<T>(yargs: Argv<T>) {
  return withConnectionFlags(yargs, orderConnectionDefaults)
    .option('group', {
      type: 'string',
      demandOption: true,
      describe: 'the consumer group running with --ordering key-strict',
    })
    .option('verbose', {
      type: 'boolean',
      default: false,
      describe: 'log what the Kafka client does, to standard error',
    });
}

/** The group's blocked-keys topic; a group id that names no legal topic is refused as --group. */
export function blockedKeysTopicOf(group: string): string {
  try {
    return blockedKeysTopic(group);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ConfigError('--group', error.message.slice(error.field.length + 2), {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Runs `use` with a client and the partition count of `topic`, which must exist. An unreachable
 * cluster and a missing topic are the user's to fix: UsageErrors (exit 2).
 */
export async function withBlockedKeysTopic<T>(
  connection: Omit<ServiceConnectionOptions, 'logger'>,
  logger: Logger,
  group: string,
  use: (client: KafkaClient, topic: string, partitions: number) => Promise<T>,
): Promise<T> {
  const topic = blockedKeysTopicOf(group);
  const client = createKafkaClient({ ...connection, logger, retry: commandLineConnectRetry });
  const admin = createAdmin(client);
  try {
    await admin.connect();
  } catch (error) {
    throw new UsageError(unreachableProblem(connection.brokers), { cause: error });
  }
  let partitions: number;
  try {
    partitions = await partitionsOf(admin, topic, group);
  } finally {
    await admin.disconnect();
  }
  return use(client, topic, partitions);
}

async function partitionsOf(admin: KafkaAdmin, topic: string, group: string): Promise<number> {
  if (!(await admin.listTopics()).includes(topic)) {
    throw new UsageError(
      `${topic} does not exist: group ${group} has never run with --ordering key-strict here, or the topic was not created (ricochet topology create --group ${group})`,
    );
  }
  const [description] = await admin.describeTopics([topic]);
  return description?.partitions.length ?? 0;
}
