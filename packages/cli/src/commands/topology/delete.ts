import { deleteTopology, type DeleteTopologyReport } from '@ricochet/topology';
import type { CommandOutcome } from '../../command-outcome.js';
import { ExitCode, UsageError } from '../../exit-codes.js';
import { jsonText, writeLine, type CliIo } from '../../io.js';
import { compileTopologyArguments, connectionFrom, withTopicArguments } from './arguments.js';
import { withClusterAdmin } from './session.js';

export function deleteCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'delete',
    describe: 'delete the tier and dead-letter topics (and any --topic), with all their records',
    builder: (yargs) =>
      withTopicArguments(yargs).option('yes', {
        type: 'boolean',
        default: false,
        describe: 'confirm the deletion; required',
      }),
    run: async (argv) => {
      const options = compileTopologyArguments(argv);
      if (!argv.yes) {
        throw new UsageError(
          'delete removes the topics and every record in them; rerun with --yes to confirm',
        );
      }
      const report = await withClusterAdmin(connectionFrom(argv, io), (admin) =>
        deleteTopology(admin, options),
      );
      writeLine(io.stdout, argv.json ? jsonText(report, 2) : renderDeletion(report));
      return ExitCode.success;
    },
  });
}

function renderDeletion(report: DeleteTopologyReport): string {
  const lines: string[] = [];
  lines.push(
    report.deleted.length === 0 ? 'nothing deleted' : `deleted ${report.deleted.join(', ')}`,
  );
  if (report.absent.length > 0) {
    lines.push(`not found, so not deleted: ${report.absent.join(', ')}`);
  }
  return lines.join('\n');
}
