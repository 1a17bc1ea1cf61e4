import { formatDuration } from '@ricochet/core';
import { describeTopology, type TopologyDescription } from '@ricochet/topology';
import type { CommandOutcome } from '../../command-outcome.js';
import { ExitCode } from '../../exit-codes.js';
import { jsonText, writeLine, type CliIo } from '../../io.js';
import { formatTable } from '../../table.js';
import { compileTopologyArguments, connectionFrom, withTopicArguments } from './arguments.js';
import { withClusterAdmin } from './session.js';

export function describeCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'describe',
    describe: 'show the tier, dead-letter, --group and --topic topics as the cluster has them',
    builder: (yargs) => withTopicArguments(yargs),
    run: async (argv) => {
      const options = compileTopologyArguments(argv);
      const description = await withClusterAdmin(connectionFrom(argv, io), (admin) =>
        describeTopology(admin, options),
      );
      writeLine(io.stdout, argv.json ? jsonText(description, 2) : renderDescription(description));
      return ExitCode.success;
    },
  });
}

/** A compacted topic keeps the last record of each key, whatever its retention.ms says. */
function retentionText(
  cleanupPolicy: string | undefined,
  retentionMilliseconds: number | undefined,
): string {
  if (cleanupPolicy === 'compact') {
    return 'compacted';
  }
  return retentionMilliseconds === undefined ? 'unlimited' : formatDuration(retentionMilliseconds);
}

function renderDescription(description: TopologyDescription): string {
  const rows = description.topics.map((topic) =>
    topic.exists
      ? [
          topic.name,
          topic.role,
          String(topic.partitions),
          String(topic.replicationFactor),
          retentionText(topic.cleanupPolicy, topic.retentionMilliseconds),
          topic.minInsyncReplicas === undefined ? '-' : String(topic.minInsyncReplicas),
        ]
      : [topic.name, topic.role, 'missing', '-', '-', '-'],
  );
  const brokers = `${description.brokerCount} broker${description.brokerCount === 1 ? '' : 's'}`;
  return [
    formatTable(['TOPIC', 'ROLE', 'PARTITIONS', 'REPLICATION', 'RETENTION', 'MIN ISR'], rows),
    `(${brokers} in the cluster)`,
  ].join('\n');
}
