import { describeError } from '@ricochet/core';
import type { ServiceState } from './service-state.js';

/** Whether a service should be sent work (its /readyz), and if not, why. */
export interface Readiness {
  readonly ready: boolean;
  readonly reason?: string;
  /** A service made of several (a delay process serving several tiers): each one's, by name. */
  readonly parts?: Readonly<Record<string, Readiness>>;
}

/**
 * Several services run as one process: ready only when every one is, since an orchestrator
 * sends work to (or waits on) the process as a whole. The reason names each one that is not.
 */
export function combineReadiness(parts: Readonly<Record<string, Readiness>>): Readiness {
  const notReady = Object.entries(parts).filter(([, readiness]) => !readiness.ready);
  if (notReady.length === 0) {
    return { ready: true, parts };
  }
  const reason = notReady
    .map(([name, readiness]) => `${name}: ${readiness.reason ?? 'not ready'}`)
    .join('; ');
  return { ready: false, reason, parts };
}

/**
 * Ready means running, in the group, owning at least one partition, and not failing to publish
 * records it has to hand on (`cannotPublishSince`, epoch milliseconds: see `publishStatus`). A
 * member that joined but was assigned nothing (more instances than partitions) does no work, so
 * it is not ready: an orchestrator then shows the surplus instead of counting it as capacity.
 */
export function describeReadiness(
  state: ServiceState,
  assignment: Readonly<Record<string, readonly number[]>> | undefined,
  failure: unknown,
  cannotPublishSince?: number,
): Readiness {
  switch (state) {
    case 'created':
      return { ready: false, reason: 'not started' };
    case 'starting':
      return { ready: false, reason: 'connecting and joining the consumer group' };
    case 'stopping':
      return { ready: false, reason: 'stopping' };
    case 'stopped':
      return { ready: false, reason: 'stopped' };
    case 'failed': {
      const { className, message } = describeError(failure);
      return { ready: false, reason: `failed: ${className}: ${message}` };
    }
    case 'running':
      break;
  }
  if (cannotPublishSince !== undefined) {
    return {
      ready: false,
      reason: `cannot publish since ${new Date(cannotPublishSince).toISOString()}`,
    };
  }
  if (assignment === undefined) {
    return { ready: false, reason: 'rejoining the consumer group after a consumer crash' };
  }
  const partitions = Object.values(assignment).reduce((sum, owned) => sum + owned.length, 0);
  if (partitions === 0) {
    return {
      ready: false,
      reason: 'in the consumer group but assigned no partitions (more instances than partitions?)',
    };
  }
  return { ready: true };
}
