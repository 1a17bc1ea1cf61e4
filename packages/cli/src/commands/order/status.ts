import { createPartitionReader } from '@ricochet/kafka';
import { cliLogger } from '../../cli-logger.js';
import type { CommandOutcome } from '../../command-outcome.js';
import { connectionOptionsFrom } from '../../connection-options.js';
import { ExitCode } from '../../exit-codes.js';
import { jsonText, writeLine, type CliIo } from '../../io.js';
import { formatTable } from '../../table.js';
import { BlockedKeysState, formatWait, type BlockedKeyStatus } from './blocked-keys-state.js';
import { orderConnectionDefaults, withBlockedKeysTopic, withGroupArguments } from './session.js';

/** Unreadable records are listed up to this many; the rest are counted. */
const shownUnreadable = 5;

export function statusCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'status',
    describe:
      "list a key-strict group's blocked keys: the record each waits on, for how long, and how many records wait behind it",
    builder: (yargs) =>
      withGroupArguments(yargs)
        .option('topic', { type: 'string', describe: 'only the keys of this source topic' })
        .option('json', { type: 'boolean', default: false, describe: 'write the result as JSON' }),
    run: async (argv) => {
      const connection = connectionOptionsFrom(argv, io, orderConnectionDefaults);
      const logger = cliLogger(argv.verbose, io.stderr);
      const state = new BlockedKeysState();
      const topic = await withBlockedKeysTopic(
        connection,
        logger,
        argv.group,
        async (client, blockedKeys, partitions) => {
          const reader = await createPartitionReader(client, {
            topics: [blockedKeys],
            groupIdPrefix: 'ricochet-cli-order-',
          });
          try {
            for (let partition = 0; partition < partitions; partition += 1) {
              const { earliest, end } = await reader.offsets(blockedKeys, partition);
              await reader.read(blockedKeys, partition, earliest, end, (records) => {
                records.forEach((record) => state.add(record));
              });
            }
          } finally {
            await reader.close();
          }
          return blockedKeys;
        },
      );
      const now = Date.now();
      const keys = state.blockedKeys(now, argv.topic);
      if (argv.json) {
        writeLine(
          io.stdout,
          jsonText(
            { group: argv.group, topic, readAt: now, keys, unreadable: state.unreadable },
            2,
          ),
        );
      } else {
        writeLine(io.stdout, renderStatus(argv.group, keys));
        reportUnreadable(io, topic, state.unreadable);
      }
      return ExitCode.success;
    },
  });
}

function renderStatus(group: string, keys: readonly BlockedKeyStatus[]): string {
  if (keys.length === 0) {
    return `no blocked keys in group ${group}`;
  }
  const table = formatTable(
    ['TOPIC', 'PARTITION', 'KEY', 'BLOCKER OFFSET', 'WAITED', 'FOLLOWERS WAITING'],
    keys.map((key) => [
      key.topic,
      String(key.partition),
      key.keyText,
      (key.blockerOffset ?? 'draining') +
        (key.releaseRequestedAt === null ? '' : ' (release requested)'),
      formatWait(key.waitedMilliseconds),
      String(key.followers),
    ]),
  );
  return `${table}\n(${keys.length} key${keys.length === 1 ? '' : 's'} in group ${group})`;
}

function reportUnreadable(io: CliIo, topic: string, unreadable: readonly string[]): void {
  if (unreadable.length === 0) {
    return;
  }
  writeLine(io.stderr, `${unreadable.length} record(s) of ${topic} do not read and were skipped:`);
  for (const problem of unreadable.slice(0, shownUnreadable)) {
    writeLine(io.stderr, `  ${problem}`);
  }
  if (unreadable.length > shownUnreadable) {
    writeLine(io.stderr, `  ... and ${unreadable.length - shownUnreadable} more`);
  }
}
