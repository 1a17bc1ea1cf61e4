import { expect } from 'chai';
import fc from 'fast-check';
import {
  ConfigError,
  RetryHeader,
  decodeUtf8,
  describeError,
  formatDuration,
  maxTimerMilliseconds,
  formatTierLadder,
  parseDuration,
  parseTierLadder,
  readRetryContract,
  routeFailure,
  tierTopicName,
  truncateText,
  userHeaders,
  writeRetryContract,
  type ErrorDescription,
  type HeaderProblemKind,
  type HeaderValue,
  type OriginalPosition,
  type RecordHeaders,
  type RetryContract,
  type TierLadder,
} from '@ricochet/core';
import { maxErrorMessageLength, maxErrorStackLength } from '@ricochet/core/internal';
import {
  asBuffers,
  isWellFormed,
  maxEpochMilliseconds,
  maxInt64,
  requiredHeaders,
} from './helpers.js';

const reservedNames: readonly string[] = Object.values(RetryHeader);
const problemKinds: readonly HeaderProblemKind[] = [
  'missing',
  'empty',
  'duplicated',
  'not-utf8',
  'not-an-integer',
  'out-of-range',
  'invalid-topic-name',
];
const unitSizes = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const unitNames = Object.keys(unitSizes) as Array<keyof typeof unitSizes>;

// ---------------------------------------------------------------------------------------------
// Arbitraries

const topicCharacter = fc.constantFrom(
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-',
);
/** Kafka topic names: [a-zA-Z0-9._-]{1,249}, except "." and "..", which Kafka also refuses. */
const topicName = fc
  .oneof(
    fc.string({ unit: topicCharacter, minLength: 1, maxLength: 249 }),
    fc.string({ unit: topicCharacter, minLength: 240, maxLength: 249 }),
    fc.constantFrom('...', '.a', '_', '-', 'x'.repeat(249)),
  )
  .filter((name) => name !== '.' && name !== '..');

const epochMilliseconds = fc.oneof(
  fc.integer({ min: 0, max: maxEpochMilliseconds }),
  fc.integer({ min: 1_500_000_000_000, max: 2_000_000_000_000 }),
  fc.constantFrom(0, maxEpochMilliseconds),
);

const originalPosition: fc.Arbitrary<OriginalPosition> = fc.record({
  topic: topicName,
  partition: fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(0, 2 ** 31 - 1)),
  offset: fc
    .oneof(fc.bigInt({ min: 0n, max: maxInt64 }), fc.constantFrom(0n, maxInt64))
    .map(String),
  timestamp: epochMilliseconds,
});

/**
 * Arbitrary well-formed Unicode: any code point, astral ones as surrogate pairs; sometimes led by
 * U+FEFF, which a UTF-8 decoder strips as a byte order mark unless told not to.
 */
const unicodeText = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary' }), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary' }).map((text) => `\uFEFF${text}`), weight: 1 },
);

/** Messages whose tail of emoji straddles the truncation bound at every parity. */
const messageNearTheBound = fc
  .tuple(
    fc.integer({ min: maxErrorMessageLength - 10, max: maxErrorMessageLength + 2 }),
    fc.array(fc.constantFrom('😀', '👩‍💻', '🇺🇳', '𝄞', 'é', '\uFEFF', 'x'), {
      minLength: 1,
      maxLength: 10,
    }),
  )
  .map(([padding, tail]) => `${'a'.repeat(padding)}${tail.join('')}`);

const rawErrorMessage = fc.oneof(
  unicodeText,
  fc.string({ unit: 'binary', minLength: 500, maxLength: 1_200 }),
  messageNearTheBound,
);

/** Error descriptions as describeError makes them from arbitrary errors. */
const errorDescription: fc.Arbitrary<ErrorDescription> = fc
  .record({
    name: unicodeText,
    message: rawErrorMessage,
    stack: fc.oneof(unicodeText, fc.string({ unit: 'binary', maxLength: 6_000 })),
  })
  .map(({ name, message, stack }) => {
    const error = new Error(message);
    error.name = name;
    error.stack = stack;
    return describeError(error);
  });

const retryContract: fc.Arbitrary<RetryContract> = fc.record({
  tryCount: fc.integer({ min: 1, max: 1_000_000 }),
  original: originalPosition,
  retryGroup: fc.oneof(
    fc.string({ unit: 'binary', minLength: 1 }),
    unicodeText.map((t) => `g${t}`),
    unicodeText.map((t) => `\uFEFF${t}`),
  ),
  dueAt: epochMilliseconds,
  error: errorDescription,
  firstFailureAt: epochMilliseconds,
  lastFailureAt: epochMilliseconds,
});

const bytes = fc.uint8Array({ maxLength: 40 }).map((array) => Buffer.from(array));
const numberLikeText = fc.oneof(
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('', '-', '-0', '00', ' 1', '1 ', '1e3', '0x1f', '٣', '9'.repeat(400)),
);
const headerValue: fc.Arbitrary<HeaderValue | HeaderValue[] | undefined> = fc.oneof(
  fc.string(),
  unicodeText,
  numberLikeText,
  bytes,
  numberLikeText.map((text) => Buffer.from(text)),
  fc.array(fc.oneof(fc.string(), bytes), { maxLength: 3 }),
  fc.constant(undefined),
);
const headerName = fc.oneof(fc.constantFrom(...reservedNames), fc.string(), unicodeText);
const arbitraryHeaders: fc.Arbitrary<RecordHeaders> = fc.dictionary(headerName, headerValue, {
  maxKeys: 20,
});
/** A valid contract with some of its headers replaced by arbitrary values. */
const corruptedHeaders: fc.Arbitrary<RecordHeaders> = fc
  .tuple(
    retryContract,
    fc.boolean(),
    fc.dictionary(fc.constantFrom(...reservedNames), headerValue, { maxKeys: 4 }),
  )
  .map(([contract, asBytes, overrides]) => {
    const written = writeRetryContract(contract);
    return { ...(asBytes ? asBuffers(written) : written), ...overrides };
  });

const strictlyIncreasingDelays = fc
  .uniqueArray(
    fc.oneof(
      fc.integer({ min: 1, max: 7 * 86_400_000 }),
      fc
        .tuple(fc.integer({ min: 1, max: 100 }), fc.constantFrom(...Object.values(unitSizes)))
        .map(([amount, size]) => amount * size)
        // A tier waits at most as long as a timer can (parseTierLadder refuses longer).
        .filter((milliseconds) => milliseconds <= maxTimerMilliseconds),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((delays) => [...delays].sort((a, b) => a - b));

const ladder: fc.Arbitrary<TierLadder> = strictlyIncreasingDelays.map((delays) =>
  parseTierLadder(delays.map(formatDuration).join(',')),
);

// ---------------------------------------------------------------------------------------------

describe('properties', () => {
  describe('the retry header contract', () => {
    it('reads back every valid contract it writes, as strings', () => {
      fc.assert(
        fc.property(retryContract, (contract) => {
          expect(readRetryContract(writeRetryContract(contract))).to.deep.equal({
            ok: true,
            contract,
          });
        }),
        { numRuns: 300 },
      );
    });

    it('reads back every valid contract it writes, as UTF-8 bytes among user headers', () => {
      const userHeaderMap = fc.dictionary(
        fc.string().filter((name) => !reservedNames.includes(name)),
        fc.oneof(fc.string(), bytes),
        { maxKeys: 5 },
      );
      fc.assert(
        fc.property(retryContract, userHeaderMap, (contract, user) => {
          const headers = { ...user, ...asBuffers(writeRetryContract(contract)) };
          expect(readRetryContract(headers)).to.deep.equal({ ok: true, contract });
          expect(userHeaders(headers)).to.deep.equal({ ...user });
        }),
        { numRuns: 300 },
      );
    });

    it('writes only strings that encode to UTF-8 and decode back unchanged', () => {
      fc.assert(
        fc.property(retryContract, (contract) => {
          for (const [name, value] of Object.entries(writeRetryContract(contract))) {
            expect(value, name).to.be.a('string');
            expect(decodeUtf8(Buffer.from(value, 'utf8')), name).to.equal(value);
          }
        }),
      );
    });

    it('never throws reading arbitrary headers, and explains every refusal', () => {
      fc.assert(
        fc.property(fc.oneof(arbitraryHeaders, corruptedHeaders), (headers) => {
          const reading = readRetryContract(headers);
          const absent = requiredHeaders.filter((header) => headers[header] === undefined);
          if (reading.ok) {
            expect(absent).to.deep.equal([]);
            const { contract } = reading;
            expect(Number.isSafeInteger(contract.tryCount)).to.equal(true);
            expect(contract.tryCount).to.be.within(1, 1_000_000);
            expect(contract.original.topic).to.match(/^[a-zA-Z0-9._-]{1,249}$/);
            expect(contract.original.partition).to.be.within(0, 2 ** 31 - 1);
            expect(BigInt(contract.original.offset) <= maxInt64).to.equal(true);
            expect(contract.original.offset).to.match(/^(0|[1-9]\d*)$/);
            for (const time of [
              contract.original.timestamp,
              contract.dueAt,
              contract.firstFailureAt,
              contract.lastFailureAt,
            ]) {
              expect(Number.isSafeInteger(time)).to.equal(true);
              expect(time).to.be.within(0, maxEpochMilliseconds);
            }
            expect(contract.retryGroup).to.be.a('string').with.length.greaterThan(0);
            return;
          }
          expect(reading.problems).to.have.length.greaterThan(0);
          for (const problem of reading.problems) {
            expect(reservedNames).to.include(problem.header);
            expect(problemKinds).to.include(problem.kind);
            expect(problem.detail).to.include(problem.header);
          }
          for (const header of absent) {
            expect(reading.problems).to.deep.include({
              header,
              kind: 'missing',
              detail: `header ${header} is missing`,
            });
          }
        }),
        { numRuns: 1_000 },
      );
    });

    it('refuses a contract with any required header removed, naming each as missing', () => {
      fc.assert(
        fc.property(
          retryContract,
          fc.subarray([...requiredHeaders], { minLength: 1 }),
          (contract, removed) => {
            const headers: RecordHeaders = { ...writeRetryContract(contract) };
            for (const header of removed) {
              delete headers[header];
            }
            const reading = readRetryContract(headers);
            expect(reading.ok).to.equal(false);
            if (!reading.ok) {
              expect(reading.problems.map((problem) => problem.header)).to.have.members(removed);
              expect(reading.problems.every((problem) => problem.kind === 'missing')).to.equal(
                true,
              );
            }
          },
        ),
      );
    });

    it("userHeaders never returns one of Ricochet's names, and keeps every other header", () => {
      fc.assert(
        fc.property(arbitraryHeaders, (headers) => {
          const kept = userHeaders(headers);
          expect(Object.getPrototypeOf(kept)).to.equal(Object.prototype);
          for (const name of Object.getOwnPropertyNames(kept)) {
            expect(reservedNames).not.to.include(name);
            expect(kept[name]).not.to.equal(undefined);
          }
          for (const [name, value] of Object.entries(headers)) {
            if (value !== undefined && !reservedNames.includes(name)) {
              expect(Object.getOwnPropertyDescriptor(kept, name)?.value, name).to.equal(value);
            }
          }
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('errors and text', () => {
    it('bounds an error description and keeps it well-formed Unicode', () => {
      fc.assert(
        fc.property(rawErrorMessage, unicodeText, (message, stack) => {
          const error = new Error(message);
          error.stack = stack;
          const description = describeError(error);
          expect(description.message.length).to.be.at.most(maxErrorMessageLength);
          expect(description.stack.length).to.be.at.most(maxErrorStackLength);
          expect(isWellFormed(description.message)).to.equal(true);
          expect(isWellFormed(description.stack)).to.equal(true);
          if (message.length <= maxErrorMessageLength) {
            expect(description.message).to.equal(message);
          } else {
            expect(description.message.endsWith('…')).to.equal(true);
            expect(message.startsWith(description.message.slice(0, -1))).to.equal(true);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('describes anything thrown without throwing itself', () => {
      const anything = fc.anything({
        withBigInt: true,
        withBoxedValues: true,
        withDate: true,
        withMap: true,
        withSet: true,
        withNullPrototype: true,
        withObjectString: true,
        withTypedArray: true,
        withSparseArray: true,
      });
      const oddError = fc
        .tuple(anything, anything, anything)
        .map(([message, stack, name]) => Object.assign(new Error(), { message, stack, name }));
      fc.assert(
        fc.property(fc.oneof(anything, oddError), (thrown) => {
          const description = describeError(thrown);
          expect(description.className).to.be.a('string');
          expect(description.message).to.be.a('string');
          expect(description.stack).to.be.a('string');
          expect(description.message.length).to.be.at.most(maxErrorMessageLength);
          expect(description.stack.length).to.be.at.most(maxErrorStackLength);
        }),
        { numRuns: 500 },
      );
    });

    it('truncateText respects the bound and never splits a surrogate pair', () => {
      fc.assert(
        fc.property(unicodeText, fc.nat({ max: 300 }), (text, maxLength) => {
          const cut = truncateText(text, maxLength);
          expect(cut.length).to.be.at.most(maxLength);
          expect(isWellFormed(cut)).to.equal(true);
          if (text.length <= maxLength) {
            expect(cut).to.equal(text);
          } else if (maxLength > 0) {
            expect(cut.endsWith('…')).to.equal(true);
            expect(cut.length).to.be.at.least(maxLength - 1);
            expect(text.startsWith(cut.slice(0, -1))).to.equal(true);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('decodeUtf8 reads back any text encoded as UTF-8', () => {
      fc.assert(
        fc.property(unicodeText, (text) => {
          expect(decodeUtf8(Buffer.from(text, 'utf8'))).to.equal(text);
        }),
        { numRuns: 500 },
      );
    });

    it('decodeUtf8 either refuses bytes or decodes them losslessly', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (array) => {
          const text = decodeUtf8(array);
          if (text !== undefined) {
            expect(Buffer.from(text, 'utf8').equals(array)).to.equal(true);
          }
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('durations and the tier ladder', () => {
    const positiveSafeInteger = fc.oneof(
      fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      fc.integer({ min: 1, max: 10_000_000 }),
      fc
        .tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(...Object.values(unitSizes)))
        .map(([amount, size]) => amount * size),
    );

    it('formatDuration and parseDuration round-trip, in the coarsest unit', () => {
      fc.assert(
        fc.property(positiveSafeInteger, (milliseconds) => {
          const text = formatDuration(milliseconds);
          const match = /^([1-9]\d*)(ms|s|m|h|d)$/.exec(text);
          expect(match, text).not.to.equal(null);
          expect(parseDuration(text, 'delay')).to.equal(milliseconds);
          const unit = match?.[2] as keyof typeof unitSizes;
          for (const coarser of unitNames.slice(unitNames.indexOf(unit) + 1)) {
            expect(
              milliseconds % unitSizes[coarser],
              `${text} could be in ${coarser}`,
            ).not.to.equal(0);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('parseDuration reads any amount in any unit and formats it canonically', () => {
      fc.assert(
        fc.property(
          // 10^8 days is still a safe number of milliseconds.
          fc.integer({ min: 1, max: 100_000_000 }),
          fc.constantFrom(...unitNames),
          (amount, unit) => {
            const milliseconds = parseDuration(`${amount}${unit}`, 'delay');
            expect(milliseconds).to.equal(amount * unitSizes[unit]);
            expect(parseDuration(formatDuration(milliseconds), 'delay')).to.equal(milliseconds);
          },
        ),
      );
    });

    it('parseDuration returns a positive safe integer or throws ConfigError, for any text', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string(),
            numberLikeText.map((text) => `${text}s`),
          ),
          (text) => {
            let milliseconds: number;
            try {
              milliseconds = parseDuration(text, 'delay');
            } catch (error) {
              expect(error).to.be.instanceOf(ConfigError);
              expect((error as ConfigError).field).to.equal('delay');
              return;
            }
            expect(Number.isSafeInteger(milliseconds) && milliseconds > 0).to.equal(true);
          },
        ),
        { numRuns: 500 },
      );
    });

    it('parseTierLadder returns a strictly increasing ladder or throws ConfigError, for any text', () => {
      const entry = fc.oneof(
        fc.constantFrom('5s', '1m', '60s', '10m', '1h', '1d', '500ms', ' 5s ', '0s', '-5s', '5x'),
        fc.constantFrom('5', '', ' ', '99999999999999999999d', '1.5s', '5 s'),
        fc
          .tuple(fc.nat(), fc.constantFrom('ms', 's', 'm', 'h', 'd', 'x', ''))
          .map(([amount, unit]) => `${amount}${unit}`),
      );
      const ladderLike = fc
        .tuple(fc.array(entry, { maxLength: 6 }), fc.constantFrom(',', ', ', ' ,'))
        .map(([entries, separator]) => entries.join(separator));
      fc.assert(
        fc.property(fc.oneof(fc.string(), unicodeText, ladderLike), (text) => {
          let tiers: TierLadder;
          try {
            tiers = parseTierLadder(text, 'tiers');
          } catch (error) {
            expect(error).to.be.instanceOf(ConfigError);
            const { field, message } = error as ConfigError;
            expect(field).to.match(/^tiers(\[\d+\])?$/);
            expect(message.startsWith(`${field}: `)).to.equal(true);
            return;
          }
          expect(tiers).to.have.length.greaterThan(0);
          tiers.forEach((tier, index) => {
            expect(tier.index).to.equal(index);
            expect(Number.isSafeInteger(tier.delayMilliseconds)).to.equal(true);
            expect(tier.delayMilliseconds).to.be.at.most(maxTimerMilliseconds);
            expect(tier.delayMilliseconds).to.be.greaterThan(
              index === 0 ? 0 : (tiers[index - 1]?.delayMilliseconds ?? Infinity),
            );
            expect(tier.topic).to.equal(tierTopicName(tier.delayMilliseconds));
          });
          expect(parseTierLadder(formatTierLadder(tiers))).to.deep.equal(tiers);
        }),
        { numRuns: 1_000 },
      );
    });

    it('parseTierLadder accepts every strictly increasing ladder, in any units', () => {
      fc.assert(
        fc.property(
          strictlyIncreasingDelays.chain((delays) =>
            fc.tuple(
              fc.constant(delays),
              fc.array(fc.constantFrom(...unitNames), {
                minLength: delays.length,
                maxLength: delays.length,
              }),
            ),
          ),
          ([delays, units]) => {
            // Write each delay in some unit that divides it, not necessarily the canonical one.
            const text = delays
              .map((delay, index) => {
                const unit = units[index] ?? 'ms';
                return delay % unitSizes[unit] === 0
                  ? `${delay / unitSizes[unit]}${unit}`
                  : `${delay}ms`;
              })
              .join(',');
            const tiers = parseTierLadder(text);
            expect(tiers.map((tier) => tier.delayMilliseconds)).to.deep.equal(delays);
            expect(new Set(tiers.map((tier) => tier.topic)).size).to.equal(delays.length);
            expect(formatTierLadder(tiers)).to.equal(delays.map(formatDuration).join(','));
          },
        ),
      );
    });
  });

  describe('routeFailure', () => {
    const failureRun = fc.record({
      ladder,
      consumedAt: originalPosition,
      retryGroup: fc.string({ minLength: 1 }),
      start: fc.integer({ min: 0, max: 4_000_000_000_000_000 }),
      gaps: fc.array(fc.integer({ min: 0, max: 10_000_000 }), { minLength: 9, maxLength: 9 }),
      error: errorDescription,
      overTheWire: fc.boolean(),
    });

    it('climbs one tier per failure, then dead-letters with retries-exhausted', () => {
      fc.assert(
        fc.property(failureRun, (run) => {
          let previous: RetryContract | undefined;
          let failedAt = run.start;
          for (let n = 1; n <= run.ladder.length + 1; n += 1) {
            const consumedAt =
              previous === undefined
                ? run.consumedAt
                : { topic: 'retry-tier', partition: 0, offset: String(n), timestamp: failedAt };
            const route = routeFailure(run.ladder, {
              previous,
              consumedAt,
              retryGroup: run.retryGroup,
              error: run.error,
              verdict: 'retryable',
              failedAt,
            });
            const { contract } = route;
            expect(contract.tryCount).to.equal((previous?.tryCount ?? 0) + 1);
            expect(contract.tryCount).to.equal(n);
            expect(contract.original).to.deep.equal(run.consumedAt);
            expect(contract.firstFailureAt).to.equal(run.start);
            expect(contract.lastFailureAt).to.equal(failedAt);
            expect(contract.retryGroup).to.equal(run.retryGroup);
            expect(contract.error).to.deep.equal(run.error);
            const tier = run.ladder[n - 1];
            if (tier === undefined) {
              expect(route.kind).to.equal('dead-letter');
              expect(route.kind === 'dead-letter' && route.reason).to.equal('retries-exhausted');
              expect(contract.dueAt).to.equal(failedAt);
              return;
            }
            expect(route.kind).to.equal('retry');
            expect(route.kind === 'retry' && route.tier).to.deep.equal(tier);
            expect(tier.index).to.equal(n - 1);
            expect(contract.dueAt).to.equal(failedAt + tier.delayMilliseconds);

            if (run.overTheWire) {
              const reading = readRetryContract(asBuffers(writeRetryContract(contract)));
              expect(reading.ok).to.equal(true);
              previous = reading.ok ? reading.contract : undefined;
            } else {
              previous = contract;
            }
            failedAt = contract.dueAt + (run.gaps[n - 1] ?? 0);
          }
          expect.fail('the ladder never ended in the dead-letter topic');
        }),
        { numRuns: 300 },
      );
    });

    it('sends the n-th failure to tier n-1 whatever the previous try count', () => {
      fc.assert(
        fc.property(
          ladder,
          retryContract,
          fc.integer({ min: 1, max: 12 }),
          epochMilliseconds,
          (tiers, previousContract, previousTries, failedAt) => {
            const previous = { ...previousContract, tryCount: previousTries };
            const route = routeFailure(tiers, {
              previous,
              consumedAt: { topic: 'retry-x', partition: 1, offset: '1', timestamp: 0 },
              retryGroup: previous.retryGroup,
              error: previous.error,
              verdict: 'retryable',
              failedAt,
            });
            expect(route.contract.tryCount).to.equal(previousTries + 1);
            expect(route.contract.original).to.deep.equal(previous.original);
            expect(route.contract.firstFailureAt).to.equal(previous.firstFailureAt);
            const tier = tiers[previousTries];
            if (tier === undefined) {
              expect(route).to.deep.include({ kind: 'dead-letter', reason: 'retries-exhausted' });
              expect(route.contract.dueAt).to.equal(failedAt);
            } else {
              expect(route).to.deep.include({ kind: 'retry', tier });
              expect(route.contract.dueAt).to.equal(failedAt + tier.delayMilliseconds);
            }
          },
        ),
      );
    });

    it('dead-letters a non-retryable failure at once, on whichever try it happens', () => {
      fc.assert(
        fc.property(
          ladder,
          fc.option(retryContract, { nil: undefined }),
          originalPosition,
          epochMilliseconds,
          (tiers, previous, consumedAt, failedAt) => {
            const route = routeFailure(tiers, {
              previous,
              consumedAt,
              retryGroup: 'billing',
              error: describeError(new Error('poison')),
              verdict: 'non-retryable',
              failedAt,
            });
            expect(route).to.deep.include({ kind: 'dead-letter', reason: 'non-retryable-error' });
            expect(route.contract.tryCount).to.equal((previous?.tryCount ?? 0) + 1);
            expect(route.contract.original).to.deep.equal(previous?.original ?? consumedAt);
            expect(route.contract.firstFailureAt).to.equal(previous?.firstFailureAt ?? failedAt);
            expect(route.contract.dueAt).to.equal(failedAt);
          },
        ),
      );
    });
  });
});
