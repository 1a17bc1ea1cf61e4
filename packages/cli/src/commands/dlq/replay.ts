import type { ArchivedRecord, ArchiveStore } from '@ricochet/archive';
import { escapeTerminalText } from '@ricochet/core';
import type { CommandOutcome } from '../../command-outcome.js';
import { connectionOptionsFrom } from '../../connection-options.js';
import { ExitCode, UsageError } from '../../exit-codes.js';
import { writeLine, type CliIo } from '../../io.js';
import {
  filterFrom,
  isEmptyFilter,
  parseIds,
  withArchive,
  withFilterArguments,
  withStoreArguments,
} from './arguments.js';
import { createProgress } from './progress.js';
import { withConnectionFlags } from '../../setting-flags.js';
import { replayConnectionDefaults, replayRecord, withReplayProducer } from './replay-producer.js';

const sleep = (milliseconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Why a record asked for was not replayed; undefined when it may be. */
function skipReason(record: ArchivedRecord, force: boolean): string | undefined {
  if (record.status === 'purged') {
    return 'purged (its value is gone)';
  }
  if (record.originalTopic === null) {
    return 'no original topic in its headers';
  }
  if (record.status === 'replayed' && !force) {
    return 'already replayed (use --force to replay again)';
  }
  return undefined;
}

async function* candidates(
  store: ArchiveStore,
  ids: readonly number[],
  argv: Parameters<typeof filterFrom>[0],
  force: boolean,
) {
  if (ids.length > 0) {
    for (const id of ids) {
      yield { id, record: await store.get(id) };
    }
    return;
  }
  const filter = filterFrom(argv, Date.now());
  // Re-running a replay by filter must not send the same records again unless asked to.
  const effective =
    filter.status === undefined && !force ? { ...filter, status: 'archived' as const } : filter;
  for await (const record of store.iterate(effective)) {
    yield { id: record.id, record };
  }
}

export function replayCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'replay [ids..]',
    describe: 'republish archived records to their original topics (by id, or by filter)',
    builder: (yargs) =>
      withConnectionFlags(withFilterArguments(withStoreArguments(yargs)), replayConnectionDefaults)
        .positional('ids', { type: 'string', array: true, describe: 'archive ids' })
        .option('rate', {
          type: 'number',
          requiresArg: true,
          describe: 'at most this many records per second',
        })
        .option('dry-run', {
          type: 'boolean',
          default: false,
          describe: 'say what would be replayed; send nothing',
        })
        .option('force', {
          type: 'boolean',
          default: false,
          describe: 'replay records already replayed',
        }),
    run: async (argv) => {
      const ids = parseIds(argv.ids ?? []);
      if (ids.length === 0 && isEmptyFilter(filterFrom(argv, Date.now()))) {
        throw new UsageError(
          'name archive ids, or a filter such as --topic, --error-class or --status archived',
        );
      }
      if (argv.rate !== undefined && !(argv.rate > 0)) {
        throw new UsageError(`--rate must be a positive number, got ${argv.rate}`);
      }
      // A dry run sends nothing, so it needs no cluster and reads no connection settings.
      const connection = argv.dryRun
        ? undefined
        : connectionOptionsFrom(argv, io, replayConnectionDefaults);
      const summary = { replayed: 0, skipped: new Map<string, number>() };
      await withArchive(argv, io, argv.dryRun ? 'read' : 'update', async ({ store, logger }) => {
        const replayAll = async (
          publish: (record: ReturnType<typeof replayRecord>) => Promise<void>,
        ) => {
          const progress = createProgress(io.stderr);
          const startedAt = Date.now();
          for await (const { id, record } of candidates(store, ids, argv, argv.force)) {
            const reason = record === undefined ? 'no such id' : skipReason(record, argv.force);
            if (record === undefined || reason !== undefined) {
              summary.skipped.set(reason!, (summary.skipped.get(reason!) ?? 0) + 1);
              writeLine(io.stderr, `skipped ${id}: ${reason}`);
              continue;
            }
            if (argv.rate !== undefined) {
              await sleep(startedAt + (summary.replayed * 1_000) / argv.rate - Date.now());
            }
            const outgoing = replayRecord({ ...record, originalTopic: record.originalTopic! });
            if (argv.dryRun) {
              writeLine(io.stdout, `would replay ${id} to ${escapeTerminalText(outgoing.topic)}`);
            } else {
              await publish(outgoing);
              await store.markReplayed(id, Date.now());
            }
            summary.replayed += 1;
            progress.tick(summary.replayed);
          }
          progress.stop();
        };
        if (connection === undefined) {
          await replayAll(async () => {});
        } else {
          await withReplayProducer(connection, logger, replayAll);
        }
      });
      const skipped = [...summary.skipped]
        .map(([reason, count]) => `${count} ${reason}`)
        .join('; ');
      writeLine(
        io.stdout,
        `${argv.dryRun ? 'would replay' : 'replayed'} ${summary.replayed} record${summary.replayed === 1 ? '' : 's'}` +
          (skipped === '' ? '' : `; skipped ${skipped}`),
      );
      return summary.skipped.size === 0 ? ExitCode.success : ExitCode.failure;
    },
  });
}
