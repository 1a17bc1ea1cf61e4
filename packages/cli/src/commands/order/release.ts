import {
  blockedKeysPartition,
  checkTopicName,
  ConfigError,
  encodeBlockedKeysRecord,
  keyBase64,
  releaseRecordKey,
  type ReleaseCommand,
} from '@ricochet/core';
import { createReliableProducer } from '@ricochet/kafka';
import { defaultKeyStrictPollMilliseconds } from '@ricochet/main-consumer/defaults';
import { cliLogger } from '../../cli-logger.js';
import type { CommandOutcome } from '../../command-outcome.js';
import { connectionOptionsFrom } from '../../connection-options.js';
import { ExitCode } from '../../exit-codes.js';
import { writeLine, type CliIo } from '../../io.js';
import { keyText } from './blocked-keys-state.js';
import {
  blockedKeysTopicOf,
  orderConnectionDefaults,
  withBlockedKeysTopic,
  withGroupArguments,
  type GroupArguments,
} from './session.js';

interface ReleaseArguments extends GroupArguments {
  topic: string;
  partition: string;
  key?: string;
  keyBase64?: string;
  nullKey: boolean;
}

const maxPartition = 2 ** 31 - 1;

export function releaseCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'release',
    describe:
      'release a blocked key of a key-strict group: its blocker is dead-lettered (released-by-operator) when it comes back from its tier, and the records waiting behind it go on',
    builder: (yargs) =>
      withGroupArguments(yargs)
        .option('topic', { type: 'string', demandOption: true, describe: 'the source topic' })
        .option('partition', {
          type: 'string',
          demandOption: true,
          describe: 'the source partition',
        })
        .option('key', { type: 'string', describe: 'the key, as UTF-8 text' })
        .option('key-base64', { type: 'string', describe: "the key's bytes, in base64" })
        .option('null-key', {
          type: 'boolean',
          default: false,
          describe: 'the null key of the partition',
        }),
    run: async (argv) => {
      const command = releaseCommandOf(argv, Date.now());
      // Checked before connecting, like every flag.
      blockedKeysTopicOf(argv.group);
      const connection = connectionOptionsFrom(argv, io, orderConnectionDefaults);
      const logger = cliLogger(argv.verbose, io.stderr);
      const recordKey = releaseRecordKey(
        command.topic,
        command.partition,
        command.key === null ? null : Buffer.from(command.key, 'base64'),
      );
      await withBlockedKeysTopic(connection, logger, argv.group, async (client, topic, count) => {
        const producer = createReliableProducer(client);
        await producer.connect();
        try {
          await producer.publishAcknowledged([
            {
              topic,
              partition: blockedKeysPartition(command.partition, count),
              key: Buffer.from(recordKey),
              value: encodeBlockedKeysRecord(command),
              headers: {},
            },
          ]);
        } finally {
          await producer.disconnect();
        }
      });
      writeLine(
        io.stdout,
        `release of key ${keyText(command.key)} of ${command.topic}[${command.partition}] requested (${recordKey}); the group's owner of that partition acts on it within about ${defaultKeyStrictPollMilliseconds / 1_000}s while it runs (ricochet order status shows the key until then)`,
      );
      return ExitCode.success;
    },
  });
}

/** The command the flags ask for; a bad flag is a ConfigError naming it (exit 2). */
export function releaseCommandOf(
  argv: Pick<ReleaseArguments, 'topic' | 'partition' | 'key' | 'keyBase64' | 'nullKey'>,
  requestedAt: number,
): ReleaseCommand {
  const topic = checkTopicName(argv.topic, '--topic');
  if (!/^\d+$/.test(argv.partition) || Number(argv.partition) > maxPartition) {
    throw new ConfigError(
      '--partition',
      `"${argv.partition}" is not a partition number from 0 to ${maxPartition}`,
    );
  }
  const given = [
    argv.key === undefined ? [] : ['--key'],
    argv.keyBase64 === undefined ? [] : ['--key-base64'],
    argv.nullKey ? ['--null-key'] : [],
  ].flat();
  if (given.length !== 1) {
    throw new ConfigError(
      given[1] ?? '--key',
      given.length === 0
        ? 'name the key: give one of --key, --key-base64 or --null-key'
        : `give only one of --key, --key-base64 and --null-key, not ${given.join(' and ')}`,
    );
  }
  return {
    version: 1,
    kind: 'release',
    topic,
    partition: Number(argv.partition),
    key: keyOf(argv),
    requestedAt,
  };
}

function keyOf(argv: Pick<ReleaseArguments, 'key' | 'keyBase64'>): string | null {
  if (argv.key !== undefined) {
    return keyBase64(Buffer.from(argv.key, 'utf8'));
  }
  if (argv.keyBase64 !== undefined) {
    const bytes = Buffer.from(argv.keyBase64, 'base64');
    if (bytes.toString('base64') !== argv.keyBase64) {
      throw new ConfigError('--key-base64', `"${argv.keyBase64}" is not canonical base64`);
    }
    return argv.keyBase64;
  }
  return null;
}
