import { performance } from 'node:perf_hooks';
import {
  classifyDecodeError,
  classifyError,
  describeError,
  describeMalformedRedelivery,
  isRedelivery,
  readRetryContract,
  RetryHeader,
  routeFailure,
  unroutableDeadLetter,
  userHeaders,
  writeDeadLetterHeaders,
  writeOriginalPosition,
  writeRetryContract,
  type ConsumedRecord,
  type DeadLetterReason,
  type ErrorVerdict,
  type Logger,
  type OriginalPosition,
  type RetryContract,
} from '@ricochet/core';
import { HandlerTimeoutError } from './handler-timeout.js';
import type { CompiledMainConsumerOptions, HandlerRecord } from './options.js';
import type { RecordFate } from './record-outcome.js';

/** The fate of most records, shared rather than allocated for each. */
const succeededFirstTime: RecordFate = Object.freeze({
  outcome: Object.freeze({ kind: 'succeeded', tryCount: 0 }),
  handOff: undefined,
});

/** A handler call in hand: when it began, and how to give up on it. */
interface PendingCall {
  readonly startedAt: number;
  readonly expire: () => void;
}

/** What `await` would wait for: any object or function with a `then` method. */
function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Decides the fate of one source record: calls the handler and, on failure, builds the record to
 * hand to the next tier or the dead-letter topic. It publishes nothing: the caller hands the
 * record on and may commit past the source record only once the broker acknowledged it.
 */
export class RecordProcessor<TValue> {
  readonly #options: CompiledMainConsumerOptions<TValue>;
  readonly #logger: Logger;
  #lastFinishedAt = performance.now();
  /** The handler calls in hand whose promise has not settled: when each began, how to give up on it. */
  readonly #pending = new Set<PendingCall>();

  constructor(options: CompiledMainConsumerOptions<TValue>, logger: Logger) {
    this.#options = options;
    this.#logger = logger;
  }

  /** When (`performance.now()`) the last record processed was finished with: for commit intervals. */
  get lastFinishedAt(): number {
    return this.#lastFinishedAt;
  }

  /** Handler calls in hand whose promise has not settled (nor been given up on). */
  get pendingCalls(): number {
    return this.#pending.size;
  }

  /**
   * Fails each handler call in hand as a HandlerTimeoutError if it began the handler timeout or
   * more before `now` (`performance.now()`). The caller's watchdog calls this periodically: one
   * timer for the whole batch rather than one set and cleared for every call.
   */
  expireOverdue(now: number): void {
    for (const pending of this.#pending) {
      if (now - pending.startedAt >= this.#options.handlerTimeoutMilliseconds) {
        pending.expire();
      }
    }
  }

  /**
   * Synchronous when the record needs nothing awaited (no decode or one that returned a value, a
   * handler that returned without a promise): most records then cost the consumer no promise and
   * no microtask turn of their own.
   */
  process(record: ConsumedRecord): RecordFate | Promise<RecordFate> {
    let previous: RetryContract | undefined;
    if (isRedelivery(record.headers)) {
      const reading = readRetryContract(record.headers);
      if (!reading.ok) {
        return this.#finished(
          this.#deadLetterMalformed(record, describeMalformedRedelivery(reading.problems)),
        );
      }
      if (reading.contract.retryGroup !== this.#options.groupId) {
        return this.#finished({
          outcome: { kind: 'skipped-other-group', retryGroup: reading.contract.retryGroup },
          handOff: undefined,
        });
      }
      previous = reading.contract;
    }
    const { decode } = this.#options;
    if (decode === undefined) {
      return this.#handle(record, record.value as TValue, previous);
    }
    let decoded: TValue | Promise<TValue>;
    try {
      decoded = decode(record.value, record);
    } catch (error) {
      return this.#finished(this.#decodeFailed(record, previous, error));
    }
    if (isThenable(decoded)) {
      return Promise.resolve(decoded).then(
        (value) => this.#handle(record, value, previous),
        (error: unknown) => this.#finished(this.#decodeFailed(record, previous, error)),
      );
    }
    return this.#handle(record, decoded, previous);
  }

  /**
   * The fate of a record that crashed the process `crashes` times, decided without calling the
   * handler again: dead-lettered as it came, headers included, with reason `handler-crashed`.
   */
  deadLetterCrashed(record: ConsumedRecord, crashes: number): RecordFate {
    return this.deadLetterUnhandled(
      record,
      'handler-crashed',
      `the process crashed ${crashes} times while the handler was called for this record`,
    );
  }

  /**
   * The fate of a record dead-lettered without calling the handler (for `reason`): as it came,
   * headers included, plus the reason and, for a first attempt, its original position and group.
   */
  deadLetterUnhandled(
    record: ConsumedRecord,
    reason: DeadLetterReason,
    detail: string,
  ): RecordFate {
    const reading = isRedelivery(record.headers) ? readRetryContract(record.headers) : undefined;
    const deadLetter = unroutableDeadLetter(record, this.#options.dlqTopic, reason, detail);
    // A first attempt carries where it was consumed and the group that failed it, as every other
    // dead letter does: owners after a crash may dead-letter it again, and the archive keeps one
    // copy per group and original record, a key with no part missing (a missing part is NULL, and
    // the archive's unique index takes every NULL for a value of its own).
    const handOff =
      reading === undefined
        ? {
            ...deadLetter,
            headers: {
              ...deadLetter.headers,
              ...writeOriginalPosition(positionOf(record)),
              [RetryHeader.retryGroup]: this.#options.groupId,
            },
          }
        : deadLetter;
    const tryCount = reading?.ok === true ? reading.contract.tryCount : 0;
    return this.#finished({ outcome: { kind: 'dead-lettered', reason, tryCount }, handOff });
  }

  #handle(
    record: ConsumedRecord,
    value: TValue,
    previous: RetryContract | undefined,
  ): RecordFate | Promise<RecordFate> {
    // A monotonic clock: wall-clock steps (NTP) must not show up as handler time.
    const startedAt = performance.now();
    let returned: Promise<void> | void;
    try {
      returned = this.#options.handler(this.#handlerRecord(record, value, previous));
    } catch (error) {
      return this.#handled(record, previous, startedAt, { error });
    }
    if (isThenable(returned)) {
      return this.#awaitCall(returned, record, previous, startedAt);
    }
    return this.#handled(record, previous, startedAt, undefined);
  }

  /**
   * The fate of a call that returned a promise, once it settles or `expireOverdue` gives up on
   * it, whichever comes first. A call cannot be cancelled: its late result is observed (so a late
   * rejection is never unhandled) and ignored.
   */
  #awaitCall(
    returned: PromiseLike<void>,
    record: ConsumedRecord,
    previous: RetryContract | undefined,
    startedAt: number,
  ): Promise<RecordFate> {
    return new Promise<RecordFate>((resolve, reject) => {
      let settled = false;
      const settle = (failure: { readonly error: unknown } | undefined): void => {
        if (settled) {
          return;
        }
        settled = true;
        this.#pending.delete(pending);
        try {
          resolve(this.#handled(record, previous, startedAt, failure));
        } catch (error) {
          reject(error);
        }
      };
      const timeout = this.#options.handlerTimeoutMilliseconds;
      const pending: PendingCall = {
        startedAt,
        expire: () => settle({ error: new HandlerTimeoutError(timeout) }),
      };
      this.#pending.add(pending);
      Promise.resolve(returned).then(
        () => settle(undefined),
        (error: unknown) => settle({ error }),
      );
    });
  }

  /** Reports the handler's return or throw, then decides the record's fate. */
  #handled(
    record: ConsumedRecord,
    previous: RetryContract | undefined,
    startedAt: number,
    failure: { readonly error: unknown } | undefined,
  ): RecordFate {
    const finishedAt = performance.now();
    this.#lastFinishedAt = finishedAt;
    // Reported apart from the handler's call: an observer's throw must not pass for the handler's.
    this.#options.onEvent({
      type: 'handled',
      topic: record.topic,
      partition: record.partition,
      durationSeconds: (finishedAt - startedAt) / 1000,
      errorClass: failure === undefined ? undefined : describeError(failure.error).className,
    });
    if (failure === undefined) {
      return previous === undefined
        ? succeededFirstTime
        : { outcome: { kind: 'succeeded', tryCount: previous.tryCount }, handOff: undefined };
    }
    return this.#routeFailure(record, previous, failure.error, this.#classify(failure.error));
  }

  #decodeFailed(
    record: ConsumedRecord,
    previous: RetryContract | undefined,
    error: unknown,
  ): RecordFate {
    const verdict = classifyDecodeError(error);
    return this.#routeFailure(
      record,
      previous,
      error,
      verdict,
      verdict === 'non-retryable' ? 'decode-failed' : undefined,
    );
  }

  /** A fate decided without calling the handler, which would have read the clock. */
  #finished(fate: RecordFate): RecordFate {
    this.#lastFinishedAt = performance.now();
    return fate;
  }

  #handlerRecord(
    record: ConsumedRecord,
    value: TValue,
    previous: RetryContract | undefined,
  ): HandlerRecord<TValue> {
    return {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      key: record.key,
      value,
      rawValue: record.value,
      headers: userHeaders(record.headers),
      tryCount: previous?.tryCount ?? 0,
      retry: previous,
    };
  }

  #classify(error: unknown): ErrorVerdict {
    // A timed-out call is Ricochet's verdict, not the handler's error: always worth a retry.
    if (error instanceof HandlerTimeoutError) {
      return 'retryable';
    }
    try {
      return classifyError(error, this.#options.classify);
    } catch (classifierError) {
      // A broken classifier must not lose the record: retrying is the safe default.
      this.#logger.error('the classify function threw; treating the error as retryable', {
        error: classifierError,
      });
      return 'retryable';
    }
  }

  #routeFailure(
    record: ConsumedRecord,
    previous: RetryContract | undefined,
    error: unknown,
    verdict: ErrorVerdict,
    reasonOverride?: DeadLetterReason,
  ): RecordFate {
    const route = routeFailure(this.#options.ladder, {
      previous,
      consumedAt: positionOf(record),
      retryGroup: this.#options.groupId,
      error: describeError(error),
      verdict,
      failedAt: Date.now(),
      redeliverTo: this.#options.redeliveryTopic,
    });
    const headers = { ...userHeaders(record.headers), ...writeRetryContract(route.contract) };
    const { tryCount } = route.contract;
    if (route.kind === 'retry') {
      const { topic } = route.tier;
      return {
        outcome: { kind: 'sent-to-tier', topic, tryCount },
        handOff: { topic, key: record.key, value: record.value, headers },
      };
    }
    const reason = reasonOverride ?? route.reason;
    const detail =
      reason === 'retries-exhausted'
        ? `failed ${tryCount} times, after every tier of ${this.#options.ladder.length}`
        : `${route.contract.error.className}: ${route.contract.error.message}`;
    return {
      outcome: { kind: 'dead-lettered', reason, tryCount },
      handOff: {
        topic: this.#options.dlqTopic,
        key: record.key,
        value: record.value,
        headers: { ...headers, ...writeDeadLetterHeaders(reason, detail) },
      },
    };
  }

  #deadLetterMalformed(record: ConsumedRecord, detail: string): RecordFate {
    return {
      outcome: { kind: 'dead-lettered', reason: 'malformed-retry-headers', tryCount: 0 },
      handOff: unroutableDeadLetter(
        record,
        this.#options.dlqTopic,
        'malformed-retry-headers',
        detail,
      ),
    };
  }
}

/** Where a record sits, as the contract's original position when it fails on its first attempt. */
function positionOf(record: ConsumedRecord): OriginalPosition {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: Number(record.timestamp),
  };
}
