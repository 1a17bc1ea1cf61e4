import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { formatTierLadder, type TierLadder } from '@ricochet/core';
import { ChaosInfrastructureError } from './errors.js';

const run = promisify(execFile);

export interface TopologyRequest {
  readonly cliBin: string;
  readonly brokers: readonly string[];
  readonly ladder: TierLadder;
  readonly dlqTopic: string;
  readonly sourceTopic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Set on every topic; the broker's default when undefined. */
  readonly minInsyncReplicas: number | undefined;
  /** Groups whose own topics (key-strict's blocked keys and waiting, redelivery) to create too. */
  readonly groups: readonly string[];
}

/**
 * `ricochet topology create`: the tier, dead-letter and source topics, and the topics of the
 * groups asked for (key-strict's, the redelivery topic), as an operator makes them.
 */
export async function createTopology(request: TopologyRequest): Promise<void> {
  const args = [
    request.cliBin,
    'topology',
    'create',
    '--brokers',
    request.brokers.join(','),
    '--tiers',
    formatTierLadder(request.ladder),
    '--dlq',
    request.dlqTopic,
    '--topic',
    request.sourceTopic,
    '--partitions',
    String(request.partitions),
    '--replication-factor',
    String(request.replicationFactor),
    ...(request.minInsyncReplicas === undefined
      ? []
      : ['--min-insync-replicas', String(request.minInsyncReplicas)]),
    ...request.groups.flatMap((group) => ['--group', group]),
  ];
  try {
    await run(process.execPath, args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? '';
    throw new ChaosInfrastructureError(`ricochet topology create failed: ${stderr}`, {
      cause: error,
    });
  }
}
