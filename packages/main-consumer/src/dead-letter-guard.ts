import { formatDeadLetterGuard, formatDuration, type DeadLetterGuardSpec } from '@ricochet/core';
import type { RecordOutcome } from './record-outcome.js';

/**
 * The window is kept as this many buckets, so that memory and the work per outcome stay fixed
 * whatever the rate: the window slides in steps of a twentieth of its length.
 */
const bucketCount = 20;

/** What the window held when the guard tripped: the figures the log line and readiness give. */
export interface GuardTrip {
  readonly counted: number;
  readonly flooding: number;
  readonly ratio: number;
}

/**
 * Whether an outcome counts towards a flood (true), against one (false), or not at all
 * (undefined). A record released by an operator and another group's redelivery say nothing of
 * this handler; a record handed to the waiting topic (`key-strict`) counts once it is drained.
 */
export function floodCount(outcome: RecordOutcome, spec: DeadLetterGuardSpec): boolean | undefined {
  switch (outcome.kind) {
    case 'succeeded':
      return false;
    case 'dead-lettered':
      return outcome.reason === 'released-by-operator' ? undefined : true;
    case 'sent-to-tier':
      return spec.count === 'failed';
    case 'skipped-other-group':
    case 'waiting':
      return undefined;
  }
}

/**
 * The dead-letter guard's decisions, with no I/O and the caller's monotonic clock: a sliding
 * window of outcomes that trips once at least `minRecords` were counted in it and the share of
 * them dead-lettered (or failed, with `count=failed`) is at least `ratio`. Tripped, it counts
 * nothing until resumed; a resume empties the window, so that the records that tripped it do not
 * trip it again at once.
 */
export class DeadLetterGuard {
  readonly spec: DeadLetterGuardSpec;
  readonly #bucketMilliseconds: number;
  /** Per bucket slot: which bucket (time / bucket length) it holds now, and its counts. */
  readonly #bucketIds: number[] = new Array<number>(bucketCount).fill(-1);
  readonly #counted: number[] = new Array<number>(bucketCount).fill(0);
  readonly #flooding: number[] = new Array<number>(bucketCount).fill(0);
  #trip: GuardTrip | undefined;

  constructor(spec: DeadLetterGuardSpec) {
    this.spec = spec;
    this.#bucketMilliseconds = Math.max(1, Math.ceil(spec.windowMilliseconds / bucketCount));
  }

  /** The figures when it tripped; undefined while it is not tripped. */
  get tripped(): GuardTrip | undefined {
    return this.#trip;
  }

  /** Counts an outcome at `now`; returns the trip when this outcome trips the guard. */
  observe(outcome: RecordOutcome, now: number): GuardTrip | undefined {
    const flooding = floodCount(outcome, this.spec);
    if (flooding === undefined || this.#trip !== undefined) {
      return undefined;
    }
    const bucket = Math.floor(now / this.#bucketMilliseconds);
    const slot = bucket % bucketCount;
    if (this.#bucketIds[slot] !== bucket) {
      this.#bucketIds[slot] = bucket;
      this.#counted[slot] = 0;
      this.#flooding[slot] = 0;
    }
    this.#counted[slot] = (this.#counted[slot] ?? 0) + 1;
    if (flooding) {
      this.#flooding[slot] = (this.#flooding[slot] ?? 0) + 1;
    }
    const figures = this.figures(now);
    if (figures.counted < this.spec.minRecords || figures.ratio < this.spec.ratio) {
      return undefined;
    }
    this.#trip = figures;
    return figures;
  }

  /** What the window holds at `now`: records counted, those flooding, their share (0 when none). */
  figures(now: number): GuardTrip {
    const current = Math.floor(now / this.#bucketMilliseconds);
    let counted = 0;
    let flooding = 0;
    for (let slot = 0; slot < bucketCount; slot += 1) {
      const bucket = this.#bucketIds[slot] ?? -1;
      if (bucket > current - bucketCount && bucket <= current) {
        counted += this.#counted[slot] ?? 0;
        flooding += this.#flooding[slot] ?? 0;
      }
    }
    return { counted, flooding, ratio: counted === 0 ? 0 : flooding / counted };
  }

  /** Resumes counting with an empty window; returns whether it was tripped. */
  resume(): boolean {
    const wasTripped = this.#trip !== undefined;
    this.#trip = undefined;
    this.#bucketIds.fill(-1);
    this.#counted.fill(0);
    this.#flooding.fill(0);
    return wasTripped;
  }

  /** Why the service is not ready while tripped, with the figures and how it resumes. */
  describe(trip: GuardTrip): string {
    const { spec } = this;
    const what = spec.count === 'failed' ? 'failed' : 'dead-lettered';
    const resume =
      spec.cooldownMilliseconds === undefined
        ? 'resume with SIGUSR2 or a restart'
        : `resumes ${formatDuration(spec.cooldownMilliseconds)} after it tripped, or on SIGUSR2`;
    return `dead-letter-guard: ${trip.flooding} of ${trip.counted} records ${what} within ${formatDuration(spec.windowMilliseconds)} (${trip.ratio.toFixed(2)} >= ${spec.ratio}, guard ${formatDeadLetterGuard(spec)}); consumption paused; ${resume}`;
  }
}
