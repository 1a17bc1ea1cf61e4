import type { Logger, Tier } from '@ricochet/core';
import { outageBeyondProducerRetriesMilliseconds, produceApiKey } from '@ricochet/testing';
import type { BrokerStopMode } from './broker.js';
import type { ChaosEvent } from './chaos-schedule.js';
import { ChaosInfrastructureError } from './errors.js';
import { retireGraceMilliseconds } from './fleet.js';
import { heldPartitions } from './http-probe.js';
import type { TrafficProducer } from './producer.js';
import type { SingleBroker } from './run-kafka.js';
import type { Instance, InstanceSpec, Role, Supervisor } from './supervisor.js';
import { sleep } from './timing.js';

/** What the chaos actually did (a kill finds no live victim when all of a role are down). */
export interface ChaosTally {
  readonly kills: Record<Role, number>;
  readonly brokerRestarts: number;
  /** Milliseconds from taking the broker down to it answering again, per restart. */
  readonly brokerDowntimes: readonly number[];
  /** Produce acknowledgements lost, each followed by an outage of the fleet's broker address. */
  readonly lostAcks: number;
  readonly scale: ScaleTally | undefined;
  /** Scaled-down instances that did not exit 0 on SIGTERM. */
  readonly uncleanScaleDowns: readonly string[];
}

export interface ScaleTally {
  readonly tier: string;
  readonly to: number;
  /** Partitions of the tier held (paused until due) when it was scaled up, and down. */
  readonly heldAtScaleUp: number;
  readonly heldAtScaleDown: number;
}

export interface ChaosStage {
  readonly supervisor: Supervisor;
  /**
   * The single broker, and the proxy between it and the fleet that loses acknowledgements; a
   * cluster run has none, and no broker restart or lost acknowledgement in its schedule.
   */
  readonly single: SingleBroker | undefined;
  readonly brokerStopMode: BrokerStopMode;
  readonly producer: TrafficProducer;
  readonly scaleTier: Tier;
  readonly scaleUp: readonly InstanceSpec[];
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Event times count from here. */
  readonly trafficStartedAt: number;
}

/** How long a scaling waits for the tier to hold something, so that it happens mid-hold. */
const holdWaitMilliseconds = 15_000;
const holdPollMilliseconds = 250;
/** How long a kill waits for a live victim when all of its role are down. */
const victimWaitMilliseconds = 15_000;

/**
 * Carries out the schedule in order. A killed instance is started again after its down time,
 * alongside the following events; the drive ends once every killed instance is back.
 */
export async function driveChaos(
  events: readonly ChaosEvent[],
  stage: ChaosStage,
): Promise<ChaosTally> {
  const { supervisor, logger, signal } = stage;
  const kills: Record<Role, number> = { main: 0, delay: 0, dlq: 0 };
  const brokerDowntimes: number[] = [];
  let lostAcks = 0;
  const relaunches: Array<Promise<void>> = [];
  const uncleanScaleDowns: string[] = [];
  let heldAtScaleUp = 0;
  let scale: ScaleTally | undefined;
  for (const event of events) {
    await sleep(stage.trafficStartedAt + event.at - Date.now(), signal);
    switch (event.kind) {
      case 'kill': {
        const victim = await liveVictim(supervisor, event.role, event.victim, signal);
        if (victim === undefined) {
          logger.warn('no live instance to kill', { role: event.role });
          break;
        }
        await supervisor.kill(victim);
        kills[event.role] += 1;
        logger.info(`kill -9 ${victim.spec.name}`, {
          downForMilliseconds: event.downForMilliseconds,
        });
        relaunches.push(
          sleep(event.downForMilliseconds, signal).then(() => supervisor.relaunch(victim)),
        );
        break;
      }
      case 'broker-restart': {
        const { broker } = singleBroker(stage, event.kind);
        await stage.producer.pause();
        const downAt = Date.now();
        logger.info(`restarting the broker (${stage.brokerStopMode})`);
        try {
          await broker.restart(stage.brokerStopMode);
        } finally {
          stage.producer.resume();
        }
        brokerDowntimes.push(Date.now() - downAt);
        logger.info('the broker is back', { downMilliseconds: Date.now() - downAt });
        break;
      }
      case 'lost-ack': {
        const { proxy } = singleBroker(stage, event.kind);
        const lost = await Promise.race([
          proxy
            .loseNextResponse(produceApiKey, outageBeyondProducerRetriesMilliseconds)
            .then(() => true),
          sleep(victimWaitMilliseconds, signal).then(() => false),
        ]);
        if (!lost) {
          proxy.cancelLoss();
          logger.warn('no produce request went through the fault proxy: no acknowledgement lost');
          break;
        }
        lostAcks += 1;
        logger.info(
          'lost a produce acknowledgement; the fleet cannot reach the broker for a while',
          {
            outageMilliseconds: outageBeyondProducerRetriesMilliseconds,
          },
        );
        break;
      }
      case 'scale-up': {
        heldAtScaleUp = await waitForHeld(stage);
        stage.scaleUp.forEach((spec) => supervisor.launch(spec));
        logger.info(`scaled ${stage.scaleTier.topic} to ${stage.scaleUp.length + 1} instances`, {
          heldPartitions: heldAtScaleUp,
        });
        break;
      }
      case 'scale-down': {
        const heldAtScaleDown = await waitForHeld(stage);
        const extras = supervisor
          .instances('delay')
          .filter((instance) => stage.scaleUp.some((spec) => spec.name === instance.spec.name));
        const exits = await Promise.all(
          extras.map((instance) => supervisor.retire(instance, retireGraceMilliseconds)),
        );
        exits
          .filter((exit) => exit !== undefined && exit.code !== 0)
          .forEach((exit) =>
            uncleanScaleDowns.push(`${exit?.name} (exit ${exit?.code ?? exit?.signal})`),
          );
        scale = {
          tier: stage.scaleTier.topic,
          to: stage.scaleUp.length + 1,
          heldAtScaleUp,
          heldAtScaleDown,
        };
        logger.info(`scaled ${stage.scaleTier.topic} back to 1 instance`, {
          heldPartitions: heldAtScaleDown,
        });
        break;
      }
    }
  }
  await Promise.all(relaunches);
  return {
    kills,
    brokerRestarts: brokerDowntimes.length,
    brokerDowntimes,
    lostAcks,
    scale,
    uncleanScaleDowns,
  };
}

function singleBroker(stage: ChaosStage, kind: string): SingleBroker {
  if (stage.single === undefined) {
    throw new ChaosInfrastructureError(`${kind} needs the single broker; this run is on a cluster`);
  }
  return stage.single;
}

/**
 * The instance of `role` at `fraction` of the live ones. When every one is down (an earlier kill,
 * a crash), waits for one to come back rather than skip the kill.
 */
async function liveVictim(
  supervisor: Supervisor,
  role: Role,
  fraction: number,
  signal: AbortSignal,
): Promise<Instance | undefined> {
  const deadline = Date.now() + victimWaitMilliseconds;
  for (;;) {
    const live = supervisor.instances(role).filter((instance) => instance.running);
    const victim = live[Math.floor(fraction * live.length)];
    if (victim !== undefined || Date.now() > deadline) {
      return victim;
    }
    await sleep(holdPollMilliseconds, signal);
  }
}

/** Partitions of the scaled tier held right now, over its running instances. */
async function heldInTier(stage: ChaosStage): Promise<number> {
  const tierInstances = stage.supervisor
    .instances('delay')
    .filter((instance) => instance.running && instance.spec.args.includes(stage.scaleTier.topic));
  let held = 0;
  for (const instance of tierInstances) {
    try {
      held += await heldPartitions(instance.spec.httpPort);
    } catch (error) {
      // A kill may have just taken this one down; the others still say what the tier holds.
      stage.logger.warn('could not read held partitions', { name: instance.spec.name, error });
    }
  }
  return held;
}

async function waitForHeld(stage: ChaosStage): Promise<number> {
  const deadline = Date.now() + holdWaitMilliseconds;
  for (;;) {
    const held = await heldInTier(stage);
    if (held > 0 || Date.now() > deadline) {
      return held;
    }
    await sleep(holdPollMilliseconds, stage.signal);
  }
}
