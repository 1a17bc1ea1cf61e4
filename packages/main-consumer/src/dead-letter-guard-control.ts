import { performance } from 'node:perf_hooks';
import {
  formatDeadLetterGuard,
  type ConsumedRecord,
  type DeadLetterGuardSpec,
  type Logger,
} from '@ricochet/core';
import type { ConsumedBatch, PartitionControls, Readiness } from '@ricochet/kafka';
import { DeadLetterGuard, type GuardTrip } from './dead-letter-guard.js';
import { haltingBatch } from './halting-batch.js';
import type { DeadLetterGuardChanged } from './events.js';
import type { CompiledMainConsumerOptions } from './options.js';
import type { RecordFate, RecordOutcome } from './record-outcome.js';
import { RecordProcessor } from './record-processor.js';

/** Who resumed a tripped guard: an operator (`resumeDeadLetterGuard`, SIGUSR2) or its cool-down. */
export type GuardResumer = 'operator' | 'cool-down';

/**
 * What the main consumer does with its dead-letter guard's decisions: while tripped, every
 * partition it owns (and any it is given) is paused, batches in hand start no record (those
 * running finish and are committed, the rest is fetched again after the resume), the service is
 * not ready, and the trip is logged once at error level with its figures. A resume, by the
 * operator or after the cool-down, resumes exactly the partitions the guard paused.
 */
export class DeadLetterGuardControl {
  readonly #guard: DeadLetterGuard;
  readonly #controls: PartitionControls;
  readonly #logger: Logger;
  readonly #onEvent: (event: DeadLetterGuardChanged) => void;
  /** The partitions of the last group join, by topic. */
  /** Each consumer group's last assignment to this member. */
  readonly #assignments = new Map<string, Readonly<Record<string, readonly number[]>>>();
  /** Partitions the guard paused, `topic` → partitions, so that a resume touches no other pause. */
  readonly #paused = new Map<string, Set<number>>();
  #cooldownTimer: NodeJS.Timeout | undefined;

  constructor(
    spec: DeadLetterGuardSpec,
    controls: PartitionControls,
    logger: Logger,
    onEvent: (event: DeadLetterGuardChanged) => void,
  ) {
    this.#guard = new DeadLetterGuard(spec);
    this.#controls = controls;
    this.#logger = logger;
    this.#onEvent = onEvent;
  }

  /**
   * A join of group `groupId` (the source's, or the redelivery reader's) gave this member
   * `partitions` in place of that group's earlier ones: a tripped guard pauses them too.
   */
  assigned(groupId: string, partitions: Readonly<Record<string, readonly number[]>>): void {
    this.#assignments.set(groupId, partitions);
    if (this.#guard.tripped !== undefined) {
      this.#pauseAssigned();
    }
  }

  /**
   * A record's fate is decided. Counted then, not once its hand-off is acknowledged: hand-offs
   * are published in groups (up to 500, or each commit interval), and a guard that waited for
   * them would let a whole commit interval of records be dead-lettered past its threshold.
   */
  observe(outcome: RecordOutcome): void {
    const trip = this.#guard.observe(outcome, performance.now());
    if (trip !== undefined) {
      this.#trip(trip);
    }
  }

  /**
   * Whether the batch must not run because the guard is tripped: its partition is paused (a batch
   * fetched before the pause, or of a partition given meanwhile) and nothing of it is resolved,
   * so that it is fetched again after the resume.
   */
  holdsBack(batch: ConsumedBatch): boolean {
    if (this.#guard.tripped === undefined) {
      return false;
    }
    this.#pause(batch.topic, batch.partition);
    return true;
  }

  /**
   * The batch as the batch run sees it: no longer current once the guard trips, so that it starts
   * no record more, lets the running ones finish and commits what is done (as on a revoke).
   */
  halting(batch: ConsumedBatch): ConsumedBatch {
    return haltingBatch(batch, () => this.#guard.tripped !== undefined);
  }

  /** Not ready while tripped, saying why; undefined when the guard does not stand in the way. */
  readiness(): Readiness | undefined {
    const trip = this.#guard.tripped;
    return trip === undefined ? undefined : { ready: false, reason: this.#guard.describe(trip) };
  }

  /** The share of the records counted in the window now that were dead-lettered (or failed). */
  ratio(): number {
    return this.#guard.figures(performance.now()).ratio;
  }

  /** Resumes consumption with an empty window; returns whether the guard was tripped. */
  resume(by: GuardResumer): boolean {
    clearTimeout(this.#cooldownTimer);
    this.#cooldownTimer = undefined;
    if (!this.#guard.resume()) {
      return false;
    }
    for (const [topic, partitions] of this.#paused) {
      for (const partition of partitions) {
        this.#controls.resume(topic, partition);
      }
    }
    this.#paused.clear();
    this.#logger.warn('dead-letter guard resumed: consuming again', { by });
    this.#onEvent({ type: 'dead-letter-guard', tripped: false });
    return true;
  }

  /** The service stops: no cool-down timer outlives it. */
  stop(): void {
    clearTimeout(this.#cooldownTimer);
    this.#cooldownTimer = undefined;
  }

  #trip(trip: GuardTrip): void {
    this.#pauseAssigned();
    const spec = this.#guard.spec;
    this.#logger.error('dead-letter guard tripped: consumption paused', {
      guard: formatDeadLetterGuard(spec),
      counted: trip.counted,
      flooding: trip.flooding,
      ratio: trip.ratio,
      count: spec.count,
      windowMilliseconds: spec.windowMilliseconds,
      cooldownMilliseconds: spec.cooldownMilliseconds,
      pausedPartitions: Object.fromEntries(
        [...this.#paused].map(([topic, partitions]) => [topic, [...partitions]]),
      ),
    });
    this.#onEvent({ type: 'dead-letter-guard', tripped: true });
    if (spec.cooldownMilliseconds !== undefined) {
      // A timer, not a check on the next outcome: paused, the consumer sees no more outcomes.
      this.#cooldownTimer = setTimeout(() => this.resume('cool-down'), spec.cooldownMilliseconds);
      this.#cooldownTimer.unref();
    }
  }

  #pauseAssigned(): void {
    for (const [topic, partitions] of [...this.#assignments.values()].flatMap((assignment) =>
      Object.entries(assignment),
    )) {
      for (const partition of partitions) {
        this.#pause(topic, partition);
      }
    }
  }

  #pause(topic: string, partition: number): void {
    let partitions = this.#paused.get(topic);
    if (partitions === undefined) {
      partitions = new Set();
      this.#paused.set(topic, partitions);
    }
    if (!partitions.has(partition)) {
      partitions.add(partition);
      this.#controls.pause(topic, partition);
    }
  }
}

/** A record processor whose every decided fate the dead-letter guard counts. */
export class GuardedRecordProcessor<TValue> extends RecordProcessor<TValue> {
  readonly #guard: DeadLetterGuardControl;

  constructor(
    options: CompiledMainConsumerOptions<TValue>,
    logger: Logger,
    guard: DeadLetterGuardControl,
  ) {
    super(options, logger);
    this.#guard = guard;
  }

  override process(record: ConsumedRecord): RecordFate | Promise<RecordFate> {
    const fate = super.process(record);
    if (fate instanceof Promise) {
      return fate.then((decided) => this.#observed(decided));
    }
    return this.#observed(fate);
  }

  override deadLetterCrashed(record: ConsumedRecord, crashes: number): RecordFate {
    return this.#observed(super.deadLetterCrashed(record, crashes));
  }

  #observed(fate: RecordFate): RecordFate {
    this.#guard.observe(fate.outcome);
    return fate;
  }
}
