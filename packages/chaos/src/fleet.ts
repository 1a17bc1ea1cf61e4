import { formatTierLadder } from '@ricochet/core';
import { ledgerVariable } from './ledger.js';
import { maxHandlerCrashes } from './record-plan.js';
import type { ChaosOptions } from './options.js';
import type { InstanceSpec } from './supervisor.js';

/** Where the services find what the runner prepared. */
export interface FleetContext {
  readonly brokers: readonly string[];
  readonly sourceTopic: string;
  readonly group: string;
  readonly dlqTopic: string;
  /** The compiled chaos handler module. */
  readonly handlerModule: string;
  readonly ledgerPath: string;
  readonly archiveUrl: string;
}

export interface Fleet {
  /** Started before the traffic: main x2, each tier x2 (the scaled tier x1), the archiver. */
  readonly initial: readonly InstanceSpec[];
  /** Started to scale the scaled tier up, and retired to scale it back down. */
  readonly scaleUp: readonly InstanceSpec[];
}

const mainInstances = 2;
const delayInstancesPerTier = 2;

/** The main consumers' handler timeout: short, so that slow records cost the run little time. */
export const handlerTimeoutMilliseconds = 1_000;

/** How long a service may take to stop cleanly on SIGTERM before it exits anyway. */
export const serviceShutdownTimeoutMilliseconds = 20_000;

/**
 * How long the runner waits after SIGTERM before SIGKILL: past the service's own timeout, so a
 * service that cannot stop shows its own exit 1 rather than the runner's kill.
 */
export const retireGraceMilliseconds = serviceShutdownTimeoutMilliseconds + 5_000;

/** Every instance the run may start, each with its own HTTP port from --http-base-port up. */
export function planFleet(options: ChaosOptions, context: FleetContext): Fleet {
  let nextPort = options.httpBasePort;
  const common = [
    '--brokers',
    context.brokers.join(','),
    '--dlq',
    context.dlqTopic,
    '--session-timeout-ms',
    String(options.sessionTimeoutMs),
    '--shutdown-timeout-ms',
    String(serviceShutdownTimeoutMilliseconds),
    '--driver',
    options.driver,
  ];
  const spec = (
    name: string,
    role: InstanceSpec['role'],
    args: string[],
    environment: Record<string, string> = {},
  ): InstanceSpec => ({
    name,
    role,
    args: [...args, ...common],
    httpPort: nextPort++,
    environment,
  });
  const numbered = (count: number, from = 1): number[] =>
    Array.from({ length: count }, (_, index) => from + index);

  const main = numbered(mainInstances).map((number) =>
    spec(
      `main-${number}`,
      'main',
      [
        'main',
        '--topic',
        context.sourceTopic,
        '--group',
        context.group,
        '--handler',
        context.handlerModule,
        '--tiers',
        formatTierLadder(options.ladder),
        '--concurrency',
        String(options.concurrency),
        // The default ordering, key, unless asked: many records of a partition at once, each
        // key's in offset order.
        ...(options.ordering === undefined ? [] : ['--ordering', options.ordering]),
        // Said, though it is the default: the key-strict order check lets the records behind a
        // dead-lettered record go on by this rule.
        ...(options.ordering === 'key-strict' ? ['--on-dead-letter', 'release'] : []),
        '--redelivery',
        options.redelivery,
        '--max-in-flight',
        String(options.maxInFlight),
        // The producer may start before the group's first join; nothing may be skipped.
        '--from-beginning',
        '--handler-timeout-ms',
        String(handlerTimeoutMilliseconds),
        '--max-handler-crashes',
        String(maxHandlerCrashes),
      ],
      { [ledgerVariable]: context.ledgerPath },
    ),
  );
  const delay = options.ladder.flatMap((tier) =>
    numbered(tier.topic === options.scaleTier.topic ? 1 : delayInstancesPerTier).map((number) =>
      spec(`delay-${tier.topic}-${number}`, 'delay', ['delay', '--tier', tier.topic]),
    ),
  );
  const archiver = spec('dlq-1', 'dlq', ['dlq', '--store', context.archiveUrl]);
  const scaleUp = numbered(options.scaleTo - 1, 2).map((number) =>
    spec(`delay-${options.scaleTier.topic}-${number}`, 'delay', [
      'delay',
      '--tier',
      options.scaleTier.topic,
    ]),
  );
  return { initial: [...main, ...delay, archiver], scaleUp };
}
