import {
  createTopology,
  describeChange,
  describeDifference,
  type CreateTopologyReport,
  type LeftAlone,
  type TopologyChange,
} from '@ricochet/topology';
import type { CommandOutcome } from '../../command-outcome.js';
import { ExitCode } from '../../exit-codes.js';
import { jsonText, writeLine, type CliIo } from '../../io.js';
import { compileTopologyArguments, connectionFrom, withPlanArguments } from './arguments.js';
import { withClusterAdmin } from './session.js';

export function createCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'create',
    describe: 'create the tier and dead-letter topics (and any --topic) that do not exist yet',
    builder: (yargs) =>
      withPlanArguments(yargs)
        .option('dry-run', {
          type: 'boolean',
          default: false,
          describe: 'print what would change and change nothing',
        })
        .option('apply-drift', {
          type: 'boolean',
          default: false,
          describe:
            'also grow partitions and reset configs of existing topics that differ from the plan',
        }),
    run: async (argv) => {
      const options = compileTopologyArguments(argv);
      const report = await withClusterAdmin(connectionFrom(argv, io), (admin) =>
        createTopology(admin, options, { dryRun: argv.dryRun, applyDrift: argv.applyDrift }),
      );
      if (argv.json) {
        writeLine(io.stdout, jsonText(createReportAsJson(report), 2));
      } else {
        writeLine(io.stdout, renderCreateReport(report));
      }
      // Drift left alone is reported, not failed on: `verify` is the command that judges.
      return ExitCode.success;
    },
  });
}

function renderCreateReport(report: CreateTopologyReport): string {
  const lines: string[] = [];
  const { changes, unchanged, leftAlone } = report;
  if (changes.length === 0) {
    lines.push(
      leftAlone.length === 0
        ? `nothing to change: ${unchanged.join(', ')} already match the plan`
        : 'nothing changed',
    );
  } else {
    lines.push(
      report.dryRun
        ? `dry run, nothing changed; would make ${countOf(changes.length, 'change')}:`
        : `made ${countOf(changes.length, 'change')}:`,
    );
    lines.push(...changes.map((change) => `  ${describeChange(change)}`));
    if (unchanged.length > 0) {
      lines.push(`already as planned: ${unchanged.join(', ')}`);
    }
  }
  const notApplied = leftAlone.filter((item) => item.reason === 'drift-not-applied');
  const impossible = leftAlone.filter((item) => item.reason === 'cannot-change');
  if (notApplied.length > 0) {
    lines.push('drift left alone (rerun with --apply-drift to change it):');
    lines.push(...notApplied.map((item) => `  ${describeDifference(item.difference)}`));
  }
  if (impossible.length > 0) {
    lines.push('drift this tool cannot change:');
    lines.push(...impossible.map((item) => `  ${describeDifference(item.difference)}`));
  }
  return lines.join('\n');
}

function createReportAsJson(report: CreateTopologyReport): object {
  return {
    dryRun: report.dryRun,
    changed: !report.dryRun && report.changes.length > 0,
    changes: report.changes.map(changeAsJson),
    unchanged: report.unchanged,
    leftAlone: report.leftAlone.map(leftAloneAsJson),
  };
}

function changeAsJson(change: TopologyChange): object {
  const description = describeChange(change);
  if (change.kind === 'create-topic') {
    const { name, ...spec } = change.topic;
    return { kind: change.kind, topic: name, ...spec, description };
  }
  return { ...change, description };
}

function leftAloneAsJson({ difference, reason }: LeftAlone): object {
  return { ...difference, reason, description: describeDifference(difference) };
}

function countOf(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? '' : 's'}`;
}
