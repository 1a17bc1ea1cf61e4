import type { Random } from './random.js';

/**
 * Crashes of the process on one record before the main consumers dead-letter it (the fleet's
 * `--max-handler-crashes`): a crashing record's planned handler calls depend on it.
 */
export const maxHandlerCrashes = 2;

/**
 * What a record will do in the handler: `ok` succeeds at once, `flaky` fails `failures` times
 * and then succeeds, `poison` always fails (retryably), `non-retryable` fails with
 * NonRetryableError, `slow` outlasts the handler timeout on its first try and then succeeds,
 * `crashing` crashes the process on every call (until it is dead-lettered as `handler-crashed`).
 */
export type RecordKind = 'ok' | 'flaky' | 'poison' | 'non-retryable' | 'slow' | 'crashing';

export interface RecordPlan {
  /** Unique per record: what the ledger and the archive account for. */
  readonly id: string;
  /**
   * The record's Kafka key, shared with other records (`k0042`): the keys repeat and interleave,
   * so that the main consumers' key order has something to keep.
   */
  readonly key: string;
  readonly kind: RecordKind;
  /** Failed attempts before success; only `flaky` and `slow` (1, a timeout) have any. */
  readonly failures: number;
  /** How long every handler call on the record takes before it does what its kind says. */
  readonly latencyMilliseconds: number;
}

/** The shape of the traffic beyond the kinds: how many keys, how slow the handler is. */
export interface TrafficShape {
  readonly shares: RecordShares;
  /** A flaky record fails 1 to this many times, so that it still succeeds on the last tier. */
  readonly maxFlakyFailures: number;
  /** Distinct keys the records share. */
  readonly keys: number;
  /** Each record's handler latency is drawn from 0 to this, inclusive. */
  readonly maxHandlerLatencyMilliseconds: number;
}

/** Percent of the records of each failing kind; the rest are `ok`. */
export interface RecordShares {
  readonly flakyPercent: number;
  readonly poisonPercent: number;
  readonly nonRetryablePercent: number;
  readonly slowPercent: number;
  readonly crashingPercent: number;
}

/** What the handler does with one delivery. */
export type PlannedOutcome =
  | 'succeeded'
  | 'retryable-failure'
  | 'non-retryable-failure'
  | 'outlasts-timeout'
  | 'crashes-process';

/** Ids sort in production order and are easy to grep for in logs: r0000042. */
export function recordId(index: number): string {
  return `r${String(index).padStart(7, '0')}`;
}

/** Keys are told apart from ids at a glance: k0042. */
export function recordKey(index: number): string {
  return `k${String(index).padStart(4, '0')}`;
}

/**
 * Every record's plan, from the seed alone. The shares are exact (rounded) counts, placed at
 * seeded random ids; each record gets a seeded random key of `keys` (so a key's records are
 * interleaved with other keys' and spread over the run) and a seeded random handler latency.
 */
export function planRecords(count: number, shape: TrafficShape, random: Random): RecordPlan[] {
  const { shares, maxFlakyFailures } = shape;
  const share = (percent: number): number => Math.round((count * percent) / 100);
  const kinds: RecordKind[] = [
    ...Array<RecordKind>(share(shares.poisonPercent)).fill('poison'),
    ...Array<RecordKind>(share(shares.nonRetryablePercent)).fill('non-retryable'),
    ...Array<RecordKind>(share(shares.flakyPercent)).fill('flaky'),
    ...Array<RecordKind>(share(shares.slowPercent)).fill('slow'),
    ...Array<RecordKind>(share(shares.crashingPercent)).fill('crashing'),
  ].slice(0, count);
  kinds.push(...Array<RecordKind>(count - kinds.length).fill('ok'));
  return random.shuffled(kinds).map((kind, index) => ({
    id: recordId(index),
    key: recordKey(random.integer(0, shape.keys - 1)),
    kind,
    failures: kind === 'flaky' ? random.integer(1, maxFlakyFailures) : kind === 'slow' ? 1 : 0,
    latencyMilliseconds: random.integer(0, shape.maxHandlerLatencyMilliseconds),
  }));
}

/** The handler's decision: a function of the plan and the try alone, so any copy decides alike. */
export function plannedOutcome(plan: RecordPlan, tryCount: number): PlannedOutcome {
  switch (plan.kind) {
    case 'ok':
      return 'succeeded';
    case 'flaky':
      return tryCount < plan.failures ? 'retryable-failure' : 'succeeded';
    case 'poison':
      return 'retryable-failure';
    case 'non-retryable':
      return 'non-retryable-failure';
    case 'slow':
      return tryCount < plan.failures ? 'outlasts-timeout' : 'succeeded';
    case 'crashing':
      return 'crashes-process';
  }
}

/**
 * The tries one copy of the record takes: every failed try, plus the one that ends it. A crashing
 * record is called again after each crash, but always on its first try.
 */
export function plannedTries(plan: RecordPlan, ladderLength: number): number {
  switch (plan.kind) {
    case 'ok':
    case 'non-retryable':
    case 'crashing':
      return 1;
    case 'flaky':
    case 'slow':
      return plan.failures + 1;
    case 'poison':
      return ladderLength + 1;
  }
}

/**
 * Handler calls one copy of the record takes: its tries, except that a crashing record is called
 * (on its first try) once per crash until it is dead-lettered. The first crash is not yet pinned on
 * the record, so that is `maxHandlerCrashes` + 1 calls.
 */
export function plannedCalls(plan: RecordPlan, ladderLength: number): number {
  return plan.kind === 'crashing' ? maxHandlerCrashes + 1 : plannedTries(plan, ladderLength);
}

/** Whether the record ends in the archive rather than succeeding. */
export function endsArchived(plan: RecordPlan): boolean {
  return plan.kind === 'poison' || plan.kind === 'non-retryable' || plan.kind === 'crashing';
}

/** The record value: the plan itself, so the handler needs nothing but the record. */
export function encodePlan(plan: RecordPlan): Buffer {
  return Buffer.from(JSON.stringify(plan));
}

const kinds: ReadonlySet<string> = new Set([
  'ok',
  'flaky',
  'poison',
  'non-retryable',
  'slow',
  'crashing',
]);

/** Reads a record value back; undefined for anything that is not a plan. */
export function decodePlan(value: Buffer | null): RecordPlan | undefined {
  if (value === null) {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return undefined;
  }
  const { id, key, kind, failures, latencyMilliseconds } = parsed as Record<string, unknown>;
  if (typeof id !== 'string' || typeof key !== 'string') {
    return undefined;
  }
  if (typeof kind !== 'string' || !kinds.has(kind)) {
    return undefined;
  }
  const nonNegativeInteger = (value: unknown): value is number =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
  if (!nonNegativeInteger(failures) || !nonNegativeInteger(latencyMilliseconds)) {
    return undefined;
  }
  return { id, key, kind: kind as RecordKind, failures, latencyMilliseconds };
}
