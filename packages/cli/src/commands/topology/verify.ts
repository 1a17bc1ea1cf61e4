import { describeDifference, verifyTopology, type VerifyTopologyReport } from '@ricochet/topology';
import type { CommandOutcome } from '../../command-outcome.js';
import { ExitCode } from '../../exit-codes.js';
import { jsonText, writeLine, type CliIo } from '../../io.js';
import { compileTopologyArguments, connectionFrom, withPlanArguments } from './arguments.js';
import { withClusterAdmin } from './session.js';

export function verifyCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'verify',
    describe: 'check that the cluster matches the plan; exit 1 and list the differences if not',
    builder: (yargs) => withPlanArguments(yargs),
    run: async (argv) => {
      const options = compileTopologyArguments(argv);
      const report = await withClusterAdmin(connectionFrom(argv, io), (admin) =>
        verifyTopology(admin, options),
      );
      writeLine(io.stdout, argv.json ? verifyReportAsJson(report) : renderVerifyReport(report));
      return report.matches ? ExitCode.success : ExitCode.failure;
    },
  });
}

function renderVerifyReport(report: VerifyTopologyReport): string {
  if (report.matches) {
    return `OK: ${report.plan.topics.map((topic) => topic.name).join(', ')} match the plan`;
  }
  const count = report.differences.length;
  return [
    `the cluster differs from the plan in ${count} way${count === 1 ? '' : 's'}:`,
    ...report.differences.map((difference) => `  ${describeDifference(difference)}`),
  ].join('\n');
}

function verifyReportAsJson(report: VerifyTopologyReport): string {
  return jsonText(
    {
      matches: report.matches,
      topics: report.plan.topics.map((topic) => topic.name),
      differences: report.differences.map((difference) => ({
        ...difference,
        description: describeDifference(difference),
      })),
    },
    2,
  );
}
