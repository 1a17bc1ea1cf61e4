import type { ErrorDescription } from './classify.js';
import type { HeaderValue, RecordHeaders } from './record.js';
import { decodeUtf8 } from './text.js';
import { isLegalTopicName } from './topic-names.js';

/** Ricochet's header names. Values are UTF-8 strings; numbers are decimal. */
export const RetryHeader = {
  tryCount: 'try_count',
  originalTopic: 'original-topic',
  originalPartition: 'original-partition',
  originalOffset: 'original-offset',
  originalTimestamp: 'original-timestamp',
  retryGroup: 'retry-group',
  dueAt: 'due-at',
  errorClass: 'error-class',
  errorMessage: 'error-message',
  errorStack: 'error-stack',
  firstFailureAt: 'first-failure-at',
  lastFailureAt: 'last-failure-at',
  deadLetterReason: 'dead-letter-reason',
  deadLetterDetail: 'dead-letter-detail',
  /**
   * Optional: the topic the delay service sends the record to once it is due, when it is not
   * the original topic: the retry group's redelivery topic (`redeliveryTopic`). Absent, the
   * record goes back to its original topic.
   */
  redeliverTo: 'redeliver-to',
} as const;

/**
 * The headers that mark a record waiting behind a blocked key (ordering `key-strict`) on the
 * waiting topic; a drained record loses them before it is handled.
 */
export const WaitingHeader = {
  /** The consumer group whose blocked key the record waits behind. */
  group: 'waiting-group',
  /** The original offset of the record it waits behind: for people reading the topic. */
  forOffset: 'waiting-for-offset',
} as const;

const reservedHeaderNames: ReadonlySet<string> = new Set([
  ...Object.values(RetryHeader),
  ...Object.values(WaitingHeader),
]);

/** The headers a retry contract cannot be read without; the error-* headers are optional. */
export const requiredRetryHeaders = [
  RetryHeader.tryCount,
  RetryHeader.originalTopic,
  RetryHeader.originalPartition,
  RetryHeader.originalOffset,
  RetryHeader.originalTimestamp,
  RetryHeader.retryGroup,
  RetryHeader.dueAt,
  RetryHeader.firstFailureAt,
  RetryHeader.lastFailureAt,
] as const;

/**
 * Set on a record replayed from the archive: the archive id it came from. Not reserved: the
 * handler sees it, and it travels on if the replay fails again.
 */
export const replayedFromHeader = 'replayed-from';

/**
 * Set on a record replayed from the archive: how many replays led to it, this one included. Not
 * reserved, like replayed-from: a replay that fails again is archived as a new record with a
 * replay count of its own at 0, and this header is what lets the loop guard count the replays
 * before it.
 */
export const replayCountHeader = 'replay-count';

/** Where the record was first consumed, before any retry. */
export interface OriginalPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Epoch milliseconds of the original record. */
  readonly timestamp: number;
}

/** Everything Ricochet knows about a record that has failed at least once. */
export interface RetryContract {
  /** Failed attempts so far: 1 after the first failure. */
  readonly tryCount: number;
  readonly original: OriginalPosition;
  /** The consumer group whose handler failed; tier topics are shared by all groups. */
  readonly retryGroup: string;
  /** Epoch milliseconds before which the record must not be redelivered. */
  readonly dueAt: number;
  readonly error: ErrorDescription;
  readonly firstFailureAt: number;
  readonly lastFailureAt: number;
  /**
   * Where the delay service sends the record once it is due, when not to `original.topic`: the
   * retry group's redelivery topic. Undefined: the original topic.
   */
  readonly redeliverTo?: string | undefined;
}

export type HeaderProblemKind =
  | 'missing'
  | 'empty'
  | 'duplicated'
  | 'not-utf8'
  | 'not-an-integer'
  | 'out-of-range'
  | 'invalid-topic-name';

export interface HeaderProblem {
  readonly header: string;
  readonly kind: HeaderProblemKind;
  readonly detail: string;
}

export type RetryContractReading =
  | { readonly ok: true; readonly contract: RetryContract }
  | { readonly ok: false; readonly problems: readonly HeaderProblem[] };

const decimalIntegerPattern = /^-?\d+$/;
/** Kafka offsets are int64. */
const maxOffset = 2n ** 63n - 1n;

type FieldReading<T> = { ok: true; value: T } | { ok: false; problem: HeaderProblem };

function problem(header: string, kind: HeaderProblemKind, detail: string): FieldReading<never> {
  return { ok: false, problem: { header, kind, detail } };
}

function readText(headers: RecordHeaders, header: string): FieldReading<string> {
  const raw = headers[header];
  if (raw === undefined) {
    return problem(header, 'missing', `header ${header} is missing`);
  }
  if (Array.isArray(raw)) {
    return problem(header, 'duplicated', `header ${header} appears ${raw.length} times`);
  }
  const text = typeof raw === 'string' ? raw : decodeUtf8(raw);
  if (text === undefined) {
    return problem(header, 'not-utf8', `header ${header} is not valid UTF-8`);
  }
  if (text === '') {
    return problem(header, 'empty', `header ${header} is empty`);
  }
  return { ok: true, value: text };
}

function readBigInteger(
  headers: RecordHeaders,
  header: string,
  min: bigint,
  max: bigint,
): FieldReading<bigint> {
  const text = readText(headers, header);
  if (!text.ok) {
    return text;
  }
  if (!decimalIntegerPattern.test(text.value)) {
    return problem(
      header,
      'not-an-integer',
      `header ${header} is not a decimal integer: "${preview(text.value)}"`,
    );
  }
  const value = BigInt(text.value);
  if (value < min || value > max) {
    return problem(
      header,
      'out-of-range',
      `header ${header} is ${preview(text.value)}, outside ${min}..${max}`,
    );
  }
  return { ok: true, value };
}

function readInteger(
  headers: RecordHeaders,
  header: string,
  min: number,
  max: number,
): FieldReading<number> {
  const reading = readBigInteger(headers, header, BigInt(min), BigInt(max));
  return reading.ok ? { ok: true, value: Number(reading.value) } : reading;
}

function readTopic(headers: RecordHeaders, header: string): FieldReading<string> {
  const text = readText(headers, header);
  if (text.ok && !isLegalTopicName(text.value)) {
    return problem(
      header,
      'invalid-topic-name',
      `header ${header} is not a valid topic name: "${preview(text.value)}"`,
    );
  }
  return text;
}

function preview(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

const maxPartition = 2 ** 31 - 1;
const maxTryCount = 1_000_000;
const maxEpochMilliseconds = 8_640_000_000_000_000; // the largest time a JavaScript Date can hold

/**
 * Reads the retry contract from a record's headers. Total: it never throws; every missing or
 * malformed header is reported as a problem, so a consumer can dead-letter the record with a
 * precise reason instead of crashing on it.
 */
export function readRetryContract(headers: RecordHeaders): RetryContractReading {
  const tryCount = readInteger(headers, RetryHeader.tryCount, 1, maxTryCount);
  const originalTopic = readTopic(headers, RetryHeader.originalTopic);
  const originalPartition = readInteger(headers, RetryHeader.originalPartition, 0, maxPartition);
  const originalOffset = readBigInteger(headers, RetryHeader.originalOffset, 0n, maxOffset);
  const originalTimestamp = readInteger(
    headers,
    RetryHeader.originalTimestamp,
    0,
    maxEpochMilliseconds,
  );
  const retryGroup = readText(headers, RetryHeader.retryGroup);
  const dueAt = readInteger(headers, RetryHeader.dueAt, 0, maxEpochMilliseconds);
  const firstFailureAt = readInteger(headers, RetryHeader.firstFailureAt, 0, maxEpochMilliseconds);
  const lastFailureAt = readInteger(headers, RetryHeader.lastFailureAt, 0, maxEpochMilliseconds);
  const errorClass = readOptionalText(headers, RetryHeader.errorClass);
  const errorMessage = readOptionalText(headers, RetryHeader.errorMessage);
  const errorStack = readOptionalText(headers, RetryHeader.errorStack);
  const redeliverTo =
    headers[RetryHeader.redeliverTo] === undefined
      ? ({ ok: true, value: undefined } as const)
      : readTopic(headers, RetryHeader.redeliverTo);

  const readings = [
    tryCount,
    originalTopic,
    originalPartition,
    originalOffset,
    originalTimestamp,
    retryGroup,
    dueAt,
    firstFailureAt,
    lastFailureAt,
    errorClass,
    errorMessage,
    errorStack,
    redeliverTo,
  ];
  const problems = readings.flatMap((reading) => (reading.ok ? [] : [reading.problem]));
  if (
    !tryCount.ok ||
    !originalTopic.ok ||
    !originalPartition.ok ||
    !originalOffset.ok ||
    !originalTimestamp.ok ||
    !retryGroup.ok ||
    !dueAt.ok ||
    !firstFailureAt.ok ||
    !lastFailureAt.ok ||
    !errorClass.ok ||
    !errorMessage.ok ||
    !errorStack.ok ||
    !redeliverTo.ok
  ) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    contract: {
      tryCount: tryCount.value,
      original: {
        topic: originalTopic.value,
        partition: originalPartition.value,
        offset: originalOffset.value.toString(),
        timestamp: originalTimestamp.value,
      },
      retryGroup: retryGroup.value,
      dueAt: dueAt.value,
      error: { className: errorClass.value, message: errorMessage.value, stack: errorStack.value },
      firstFailureAt: firstFailureAt.value,
      lastFailureAt: lastFailureAt.value,
      ...(redeliverTo.value === undefined ? {} : { redeliverTo: redeliverTo.value }),
    },
  };
}

/** Error texts may legitimately be empty (an Error with no message); absent reads as empty. */
function readOptionalText(headers: RecordHeaders, header: string): FieldReading<string> {
  if (headers[header] === undefined) {
    return { ok: true, value: '' };
  }
  const text = readText(headers, header);
  return !text.ok && text.problem.kind === 'empty' ? { ok: true, value: '' } : text;
}

/**
 * One header as text, or undefined when it is absent or not a single valid UTF-8 value. For
 * readers that take what they can (the archive), not for routing, which needs the whole contract.
 */
export function readHeaderText(headers: RecordHeaders, header: string): string | undefined {
  const reading = readText(headers, header);
  return reading.ok ? reading.value : undefined;
}

/** True when a record carries Ricochet's retry headers, i.e. it was redelivered by a tier. */
export function isRedelivery(headers: RecordHeaders): boolean {
  return headers[RetryHeader.retryGroup] !== undefined;
}

/** The user's own headers: everything but Ricochet's. */
export function userHeaders(headers: RecordHeaders): Record<string, HeaderValue | HeaderValue[]> {
  // Called for every record, most of which carry few headers or none: a loop, not the arrays
  // of entries() and filter().
  const kept: Record<string, HeaderValue | HeaderValue[]> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || reservedHeaderNames.has(name)) {
      continue;
    }
    if (name === '__proto__') {
      // Defined, not assigned: assigning would set the prototype; it stays a header.
      Object.defineProperty(kept, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      kept[name] = value;
    }
  }
  return kept;
}

/** Where a record was first consumed, as the contract's original-* header strings. */
export function writeOriginalPosition(original: OriginalPosition): Record<string, string> {
  return {
    [RetryHeader.originalTopic]: original.topic,
    [RetryHeader.originalPartition]: String(original.partition),
    [RetryHeader.originalOffset]: original.offset,
    [RetryHeader.originalTimestamp]: String(original.timestamp),
  };
}

/** The contract as header strings, ready to merge over the user's headers. */
export function writeRetryContract(contract: RetryContract): Record<string, string> {
  return {
    [RetryHeader.tryCount]: String(contract.tryCount),
    ...writeOriginalPosition(contract.original),
    [RetryHeader.retryGroup]: contract.retryGroup,
    [RetryHeader.dueAt]: String(contract.dueAt),
    [RetryHeader.errorClass]: contract.error.className,
    [RetryHeader.errorMessage]: contract.error.message,
    [RetryHeader.errorStack]: contract.error.stack,
    [RetryHeader.firstFailureAt]: String(contract.firstFailureAt),
    [RetryHeader.lastFailureAt]: String(contract.lastFailureAt),
    ...(contract.redeliverTo === undefined
      ? {}
      : { [RetryHeader.redeliverTo]: contract.redeliverTo }),
  };
}

/** Why a record ends in the dead-letter topic: the values of `dead-letter-reason`. */
export const deadLetterReasons = [
  'retries-exhausted',
  'non-retryable-error',
  'decode-failed',
  'malformed-retry-headers',
  'unknown-original-topic',
  'internal-original-topic',
  'topic-not-allowed',
  'due-at-out-of-range',
  'record-too-large',
  'handler-crashed',
  /** `key-strict` with `onDeadLetter: 'dead-letter'`: a record of its key before it was. */
  'predecessor-dead-lettered',
  /** `key-strict`: an operator released the key this record blocked (`ricochet order release`). */
  'released-by-operator',
  /** `key-strict`: its key already had `maxWaitingPerKey` records waiting. */
  'waiting-cap-exceeded',
  /** `redeliver-to` names neither the original topic nor the retry group's redelivery topic. */
  'redeliver-to-refused',
  /** `redeliver-to` names the retry group's redelivery topic, and it does not exist. */
  'unknown-redelivery-topic',
] as const;

export type DeadLetterReason = (typeof deadLetterReasons)[number];

export function writeDeadLetterHeaders(
  reason: DeadLetterReason,
  detail: string,
): Record<string, string> {
  return { [RetryHeader.deadLetterReason]: reason, [RetryHeader.deadLetterDetail]: detail };
}

export function describeHeaderProblems(problems: readonly HeaderProblem[]): string {
  return problems.map((item) => item.detail).join('; ');
}

/**
 * Why a source record carrying `retry-group` was dead-lettered: that header marks a redelivery,
 * so the record is read as one, and a producer's own header of that name is the likely cause.
 */
export function describeMalformedRedelivery(problems: readonly HeaderProblem[]): string {
  return `the record carries a ${RetryHeader.retryGroup} header, which marks a redelivery from a retry tier, but not a valid retry contract; if the producer set that header itself, rename it: the names of the header contract are reserved for Ricochet (${describeHeaderProblems(problems)})`;
}
