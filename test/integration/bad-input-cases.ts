// The bad-input table: every malformed record the suite produces, where it enters the pipeline,
// and what must become of it. bad-input.test.ts runs the real services over all of them at once.
import {
  presentHeaders,
  RetryHeader,
  writeRetryContract,
  type DeadLetterReason,
  type HeaderValue,
  type RetryContract,
} from '@ricochet/core';
import { requiredRetryHeaders } from '@ricochet/core/internal';
import { testRetryContract } from '@ricochet/testing';

/** A user header on every record of the suite: how each record is traced back to its case. */
export const caseHeader = 'bad-input-case';

/**
 * Where a case's record is produced, and so which service meets it first: a tier topic (the
 * delay consumer) or one of the source topics, each read by its own main consumer.
 */
export type Entry =
  'tier' | 'source' | 'framed-source' | 'registry-down-source' | 'no-headroom-tier-source';

/** What the handler does with a case's record whenever it is called. */
export type HandlerAction = 'succeed' | 'fail' | 'reject';

export type Expectation =
  | {
      readonly kind: 'dead-lettered';
      readonly reason: DeadLetterReason;
      /** Text the `dead-letter-detail` header must contain. */
      readonly detail?: string;
      /** The `try_count` on the dead letter, when the case decides it. */
      readonly tryCount?: number;
      /** The try count the handler saw on each call, in order. */
      readonly handlerTries: readonly number[];
    }
  | {
      /** Correctly not dead-lettered: `why` says why. */
      readonly kind: 'handled';
      readonly why: string;
      readonly handlerTries: readonly number[];
    }
  | {
      /** Redelivered to a source topic and skipped by its main consumer: another group's retry. */
      readonly kind: 'skipped';
      readonly why: string;
    };

export interface CaseRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, HeaderValue | HeaderValue[]>>;
  readonly partition?: number;
  /** Epoch ms as decimal text; default: the producer's clock. */
  readonly timestamp?: string;
}

/** The `describe(...)` blocks the cases are listed under, in this order. */
export const caseFamilies = {
  tier: 'tier records (delay consumer)',
  source: 'source records (main consumer)',
  registry: 'registry-framed values (main consumers with a registry decoder)',
  size: 'values near the size limit',
} as const;

export interface BadInputCase {
  readonly family: (typeof caseFamilies)[keyof typeof caseFamilies];
  /** The `it(...)` title: unique. */
  readonly name: string;
  readonly entry: Entry;
  /** Usually one; a burst case has many, each handled on its own. */
  readonly records: readonly CaseRecord[];
  readonly handler: HandlerAction;
  readonly expect: Expectation;
  /** Produced, and settled, before every other case: why it must not meet their records. */
  readonly goesFirst?: string;
}

/** What the cases need to know about the running pipeline. */
export interface CaseContext {
  readonly now: number;
  readonly tierTopic: string;
  readonly tierDelayMilliseconds: number;
  readonly dlqTopic: string;
  /** Source topic of the plain main consumer, with `sourcePartitions` partitions. */
  readonly sourceTopic: string;
  readonly sourcePartitions: number;
  /** Another source of the plain main consumer, with a small max.message.bytes. */
  readonly smallSourceTopic: string;
  /** The group of the plain main consumer: tier records meant for it carry it as retry-group. */
  readonly groupId: string;
  /** The broker's max.message.bytes for topics without their own (source topics here). */
  readonly sourceMessageMaxBytes: number;
  /** An Avro schema registered in the real registry, for a framed value that does not fit it. */
  readonly knownSchemaId: number;
}

const numericHeaders = requiredRetryHeaders.filter(
  (header) => header !== RetryHeader.originalTopic && header !== RetryHeader.retryGroup,
);

const notUtf8 = Buffer.from([0xc3, 0x28]);
const year = 365 * 86_400_000;
const maxEpochMilliseconds = 8_640_000_000_000_000;
/** Why a valid, due tier record is not a dead letter. */
const dueRedelivery =
  'a valid contract that is due: redelivered to its original topic, where the handler succeeds';

/**
 * Each tier record claims its own original offset, far beyond those of the records the suite
 * produces to the source topic: the archive keeps one dead letter per group and original
 * position, so a tier record claiming a real record's position would be archived as its copy.
 */
const firstOriginalOffset = 1_000_000_000;
let lastOriginalOffset = firstOriginalOffset;

/** Everything the suite produces, in order. */
export function badInputCases(context: CaseContext): BadInputCase[] {
  lastOriginalOffset = firstOriginalOffset;
  return [
    ...tierHeaderCases(context),
    ...tierRoutingCases(context),
    ...tierBodyCases(context),
    ...sourceBodyCases(),
    ...sourceHeaderCases(),
    ...registryCases(context),
    ...sizeCases(context),
  ];
}

/** A valid, due contract for the plain main consumer, with `changes` applied to its headers. */
function tierHeaders(
  context: CaseContext,
  changes: Readonly<Record<string, HeaderValue | HeaderValue[] | undefined>> = {},
  contract: Partial<RetryContract> = {},
): Record<string, HeaderValue | HeaderValue[]> {
  return presentHeaders({
    ...writeRetryContract(
      testRetryContract(context.sourceTopic, context.now - 1_000, {
        retryGroup: context.groupId,
        original: {
          topic: context.sourceTopic,
          partition: 0,
          offset: String((lastOriginalOffset += 1)),
          timestamp: context.now,
        },
        ...contract,
      }),
    ),
    ...changes,
  });
}

function tierCase(
  name: string,
  headers: Record<string, HeaderValue | HeaderValue[]>,
  expect: Expectation,
  body: Partial<CaseRecord> = {},
): BadInputCase {
  return {
    family: caseFamilies.tier,
    name: `tier record: ${name}`,
    entry: 'tier',
    records: [
      { key: Buffer.from(name), value: Buffer.from(`{"case":"${name}"}`), headers, ...body },
    ],
    handler: 'succeed',
    expect,
  };
}

function malformed(detail: string): Expectation {
  return { kind: 'dead-lettered', reason: 'malformed-retry-headers', detail, handlerTries: [] };
}

/** Each required header missing, empty, not UTF-8 and duplicated; each number bent three ways. */
function tierHeaderCases(context: CaseContext): BadInputCase[] {
  const valid = tierHeaders(context);
  const shapes = requiredRetryHeaders.flatMap((header) => [
    tierCase(
      `${header} missing`,
      tierHeaders(context, { [header]: undefined }),
      malformed(`header ${header} is missing`),
    ),
    tierCase(
      `${header} empty`,
      tierHeaders(context, { [header]: '' }),
      malformed(`header ${header} is empty`),
    ),
    tierCase(
      `${header} not UTF-8`,
      tierHeaders(context, { [header]: notUtf8 }),
      malformed(`header ${header} is not valid UTF-8`),
    ),
    tierCase(
      `${header} duplicated`,
      tierHeaders(context, { [header]: [valid[header] as string, valid[header] as string] }),
      malformed(`header ${header} appears 2 times`),
    ),
  ]);
  const numbers = numericHeaders.flatMap((header) => [
    tierCase(
      `${header} non-numeric`,
      tierHeaders(context, { [header]: 'soon' }),
      malformed(`header ${header} is not a decimal integer: "soon"`),
    ),
    tierCase(
      `${header} negative`,
      tierHeaders(context, { [header]: '-5' }),
      malformed(`header ${header} is -5, outside`),
    ),
    tierCase(
      `${header} huge (30 digits)`,
      tierHeaders(context, { [header]: '9'.repeat(30) }),
      malformed(`header ${header} is ${'9'.repeat(30)}, outside`),
    ),
  ]);
  return [
    ...shapes,
    ...numbers,
    tierCase(
      'no Ricochet header at all',
      {},
      malformed(requiredRetryHeaders.map((header) => `header ${header} is missing`).join('; ')),
    ),
    tierCase(
      'try_count 0',
      tierHeaders(context, { [RetryHeader.tryCount]: '0' }),
      malformed('header try_count is 0, outside 1..1000000'),
    ),
    tierCase(
      'try_count with a plus sign',
      tierHeaders(context, { [RetryHeader.tryCount]: '+1' }),
      malformed('header try_count is not a decimal integer: "+1"'),
    ),
    tierCase(
      'try_count in Arabic-Indic digits',
      tierHeaders(context, { [RetryHeader.tryCount]: '١' }),
      malformed('header try_count is not a decimal integer: "١"'),
    ),
    tierCase(
      'due-at in exponent notation',
      tierHeaders(context, { [RetryHeader.dueAt]: '1e12' }),
      malformed('header due-at is not a decimal integer: "1e12"'),
    ),
    tierCase(
      'original-partition with a leading space',
      tierHeaders(context, { [RetryHeader.originalPartition]: ' 0' }),
      malformed('header original-partition is not a decimal integer: " 0"'),
    ),
    tierCase(
      'original-partition beyond int32',
      tierHeaders(context, { [RetryHeader.originalPartition]: String(2 ** 31) }),
      malformed(`header original-partition is ${2 ** 31}, outside 0..${2 ** 31 - 1}`),
    ),
    tierCase(
      'original-offset beyond int64',
      tierHeaders(context, { [RetryHeader.originalOffset]: String(2n ** 63n) }),
      malformed(`header original-offset is ${2n ** 63n}, outside 0..${2n ** 63n - 1n}`),
    ),
    tierCase(
      'due-at beyond the largest date',
      tierHeaders(context, { [RetryHeader.dueAt]: String(maxEpochMilliseconds + 1) }),
      malformed(`header due-at is ${maxEpochMilliseconds + 1}, outside`),
    ),
    tierCase(
      'error-message not UTF-8',
      tierHeaders(context, { [RetryHeader.errorMessage]: notUtf8 }),
      malformed('header error-message is not valid UTF-8'),
    ),
    tierCase(
      'error-stack duplicated',
      tierHeaders(context, { [RetryHeader.errorStack]: ['a', 'b'] }),
      malformed('header error-stack appears 2 times'),
    ),
    tierCase(
      'original-offset at the int64 maximum',
      tierHeaders(context, { [RetryHeader.originalOffset]: String(2n ** 63n - 1n) }),
      { kind: 'handled', why: `${dueRedelivery}: 2^63-1 is a valid offset`, handlerTries: [1] },
    ),
    tierCase(
      'no error headers',
      tierHeaders(context, {
        [RetryHeader.errorClass]: undefined,
        [RetryHeader.errorMessage]: undefined,
        [RetryHeader.errorStack]: undefined,
      }),
      {
        kind: 'handled',
        why: `${dueRedelivery}: the error headers are optional (an error may have no message)`,
        handlerTries: [1],
      },
    ),
  ];
}

/** Contracts that are well formed but point somewhere they must not go, or at odd times. */
function tierRoutingCases(context: CaseContext): BadInputCase[] {
  const toTopic = (topic: string): Record<string, HeaderValue | HeaderValue[]> =>
    tierHeaders(context, { [RetryHeader.originalTopic]: topic });
  const internal = (topic: string): Expectation => ({
    kind: 'dead-lettered',
    reason: 'internal-original-topic',
    detail: `original-topic ${topic} is an internal or Ricochet topic`,
    tryCount: 1,
    handlerTries: [],
  });
  const missingTopic = `${context.sourceTopic}-never-created`;
  const tooFar = context.now + 3 * year;
  return [
    tierCase('original-topic does not exist', toTopic(missingTopic), {
      kind: 'dead-lettered',
      reason: 'unknown-original-topic',
      detail: `original-topic ${missingTopic} does not exist`,
      tryCount: 1,
      handlerTries: [],
    }),
    tierCase(
      'original-topic __consumer_offsets',
      toTopic('__consumer_offsets'),
      internal('__consumer_offsets'),
    ),
    tierCase(
      'original-topic __transaction_state',
      toTopic('__transaction_state'),
      internal('__transaction_state'),
    ),
    tierCase(
      'original-topic is the tier itself',
      toTopic(context.tierTopic),
      internal(context.tierTopic),
    ),
    tierCase('original-topic is another tier', toTopic('retry-10m'), internal('retry-10m')),
    tierCase(
      'original-topic is the dead-letter topic',
      toTopic(context.dlqTopic),
      internal(context.dlqTopic),
    ),
    tierCase(
      'original-topic with a slash',
      toTopic('orders/eu'),
      malformed('header original-topic is not a valid topic name: "orders/eu"'),
    ),
    tierCase(
      'original-topic of 250 characters',
      toTopic('o'.repeat(250)),
      malformed('header original-topic is not a valid topic name'),
    ),
    tierCase(
      'original-topic ..',
      toTopic('..'),
      malformed('header original-topic is not a valid topic name: ".."'),
    ),
    tierCase(
      'original-topic with a byte order mark',
      toTopic(`\uFEFF${context.sourceTopic}`),
      malformed('header original-topic is not a valid topic name'),
    ),
    tierCase(
      'due-at three years ahead',
      tierHeaders(context, { [RetryHeader.dueAt]: String(tooFar) }),
      {
        kind: 'dead-lettered',
        reason: 'due-at-out-of-range',
        detail: `more than the tier delay ${context.tierDelayMilliseconds} ms`,
        tryCount: 1,
        handlerTries: [],
      },
    ),
    tierCase(
      'due-at five minutes beyond the tier delay and clock skew',
      tierHeaders(context, {
        [RetryHeader.dueAt]: String(context.now + context.tierDelayMilliseconds + 6 * 60_000),
      }),
      {
        kind: 'dead-lettered',
        reason: 'due-at-out-of-range',
        detail: 'of clock skew',
        tryCount: 1,
        handlerTries: [],
      },
    ),
    tierCase(
      'due-at at the largest date',
      tierHeaders(context, { [RetryHeader.dueAt]: String(maxEpochMilliseconds) }),
      {
        kind: 'dead-lettered',
        reason: 'due-at-out-of-range',
        detail: `due-at ${maxEpochMilliseconds} is`,
        tryCount: 1,
        handlerTries: [],
      },
    ),
    tierCase('due-at in 1970', tierHeaders(context, { [RetryHeader.dueAt]: '1' }), {
      kind: 'handled',
      why: `${dueRedelivery}: long overdue is simply due`,
      handlerTries: [1],
    }),
    tierCase('due-at 0', tierHeaders(context, { [RetryHeader.dueAt]: '0' }), {
      kind: 'handled',
      why: `${dueRedelivery}: 0 is the epoch, a valid time`,
      handlerTries: [1],
    }),
    tierCase(
      'original-partition beyond the topic partition count',
      tierHeaders(context, {
        [RetryHeader.originalPartition]: String(context.sourcePartitions + 5),
      }),
      {
        kind: 'handled',
        why: `${dueRedelivery}: the partition no longer exists (a recreated topic), so the partitioner picks one`,
        handlerTries: [1],
      },
    ),
    tierCase(
      'retry-group of another consumer group',
      tierHeaders(context, { [RetryHeader.retryGroup]: `${context.groupId}-someone-else` }),
      {
        kind: 'skipped',
        why: 'redelivered to its original topic, where only the group that failed it may retry it; the others skip it',
      },
    ),
    {
      ...tierCase(
        'try_count beyond the ladder',
        tierHeaders(context, { [RetryHeader.tryCount]: '5' }),
        {
          kind: 'dead-lettered',
          reason: 'retries-exhausted',
          detail: 'failed 6 times',
          tryCount: 6,
          handlerTries: [5],
        },
      ),
      handler: 'fail',
    },
  ];
}

/** Valid contracts on unusual keys and values. */
function tierBodyCases(context: CaseContext): BadInputCase[] {
  const valid = tierHeaders(context);
  const handled = (why: string): Expectation => ({
    kind: 'handled',
    why: `${dueRedelivery}: ${why}`,
    handlerTries: [1],
  });
  return [
    tierCase('tombstone with a null key', valid, handled('the key and value travel as they are'), {
      key: null,
      value: null,
    }),
    tierCase('empty value', valid, handled('an empty value is not a tombstone, and stays empty'), {
      value: Buffer.alloc(0),
    }),
    tierCase('binary key', valid, handled('keys are bytes, never parsed'), {
      key: Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x00]),
    }),
    tierCase(
      'user header named __proto__',
      tierHeaders(context, { ['__proto__']: 'not a prototype' }),
      handled('header names are data, not object keys to trust'),
    ),
    tierCase(
      'user header named constructor',
      tierHeaders(context, { constructor: 'not a function' }),
      handled('header names are data, not object keys to trust'),
    ),
  ];
}

/** A source record the plain main consumer's handler always fails: it climbs the one tier. */
function failingSourceCase(
  name: string,
  record: Omit<CaseRecord, 'headers'> & Partial<Pick<CaseRecord, 'headers'>>,
): BadInputCase {
  return {
    family: caseFamilies.source,
    name: `source record: ${name}`,
    entry: 'source',
    records: [{ headers: {}, ...record }],
    handler: 'fail',
    expect: {
      kind: 'dead-lettered',
      reason: 'retries-exhausted',
      detail: 'failed 2 times',
      tryCount: 2,
      handlerTries: [0, 1],
    },
  };
}

function sourceBodyCases(): BadInputCase[] {
  return [
    failingSourceCase('tombstone', { key: Buffer.from('tombstone'), value: null }),
    failingSourceCase('null key and null value', { key: null, value: null }),
    failingSourceCase('empty key and empty value', {
      key: Buffer.alloc(0),
      value: Buffer.alloc(0),
    }),
    failingSourceCase('key of every byte value', {
      key: Buffer.from(Array.from({ length: 256 }, (_, index) => index)),
      value: Buffer.from('{}'),
    }),
    failingSourceCase('key of 64 KiB', {
      key: Buffer.alloc(64 * 1024, 0x6b),
      value: Buffer.from('{}'),
    }),
    failingSourceCase('value of invalid UTF-8', {
      key: null,
      value: Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
    }),
    failingSourceCase('timestamp at the epoch', {
      key: null,
      value: Buffer.from('{}'),
      timestamp: '0',
    }),
  ];
}

function sourceHeaderCases(): BadInputCase[] {
  const withHeaders = (name: string, headers: CaseRecord['headers']): BadInputCase =>
    failingSourceCase(name, { key: Buffer.from(name), value: Buffer.from('{}'), headers });
  const collision = (name: string, headers: CaseRecord['headers']): BadInputCase => ({
    family: caseFamilies.source,
    name: `source record: ${name}`,
    entry: 'source',
    records: [{ key: Buffer.from(name), value: Buffer.from('{}'), headers }],
    handler: 'fail',
    expect: {
      kind: 'dead-lettered',
      reason: 'malformed-retry-headers',
      detail: 'reserved for Ricochet',
      handlerTries: [],
    },
  });
  return [
    collision('user header retry-group', { [RetryHeader.retryGroup]: 'billing-team' }),
    collision('user header retry-group duplicated', { [RetryHeader.retryGroup]: ['a', 'b'] }),
    collision('user headers retry-group and try_count', {
      [RetryHeader.retryGroup]: 'billing-team',
      [RetryHeader.tryCount]: '3',
    }),
    withHeaders('user header try_count', { [RetryHeader.tryCount]: '5' }),
    withHeaders('user header due-at', { [RetryHeader.dueAt]: String(Date.now() + year) }),
    withHeaders('user header dead-letter-reason', { [RetryHeader.deadLetterReason]: 'forged' }),
    withHeaders('user header original-topic __consumer_offsets', {
      [RetryHeader.originalTopic]: '__consumer_offsets',
    }),
    withHeaders('user header Retry-Group in other case', { 'Retry-Group': 'billing-team' }),
    withHeaders('header with an empty name', { '': 'empty name' }),
    withHeaders('header name with a NUL byte', { 'a\u0000b': 'nul' }),
    withHeaders('header name in Cyrillic and CJK', { 'ключ-键': 'unicode' }),
    withHeaders('header name of 10,000 characters', { ['h'.repeat(10_000)]: 'long name' }),
    withHeaders('header value of invalid UTF-8', { trace: notUtf8 }),
    withHeaders('header named __proto__', { ['__proto__']: 'not a prototype' }),
    withHeaders('header named constructor', { constructor: 'not a function' }),
    withHeaders('header named toString, sent twice', { toString: ['one', 'two'] }),
    withHeaders('header sent three times', { trace: ['one', 'two', 'three'] }),
    withHeaders(
      '1,000 headers',
      Object.fromEntries(Array.from({ length: 1_000 }, (_, index) => [`h${index}`, String(index)])),
    ),
  ];
}

/** Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the payload. */
function framed(schemaId: number, payload: readonly number[]): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, Buffer.from(payload)]);
}

function registryCases(context: CaseContext): BadInputCase[] {
  const decodeFailed = (name: string, value: Buffer | null, detail: string): BadInputCase => ({
    family: caseFamilies.registry,
    name: `registry-framed value: ${name}`,
    entry: 'framed-source',
    records: [{ key: Buffer.from(name), value, headers: {} }],
    handler: 'succeed',
    expect: {
      kind: 'dead-lettered',
      reason: 'decode-failed',
      detail,
      tryCount: 1,
      handlerTries: [],
    },
  });
  return [
    decodeFailed(
      'unknown schema id',
      framed(2_000_000_000, [0x02, 0x04]),
      'could not decode the value with schema id 2000000000',
    ),
    decodeFailed(
      'known schema id, payload that does not fit it',
      framed(context.knownSchemaId, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      `could not decode the value with schema id ${context.knownSchemaId}`,
    ),
    decodeFailed('schema id 0', framed(0, [0x02]), 'not in the Confluent wire format'),
    decodeFailed('negative schema id', framed(-1, [0x02]), 'not in the Confluent wire format'),
    decodeFailed(
      'magic byte only, 3 bytes',
      Buffer.from([0, 0, 0]),
      'not in the Confluent wire format',
    ),
    decodeFailed('plain JSON', Buffer.from('{"id":1}'), 'not in the Confluent wire format'),
    decodeFailed('empty value', Buffer.alloc(0), 'not in the Confluent wire format'),
    {
      family: caseFamilies.registry,
      name: 'registry-framed value: tombstone',
      entry: 'framed-source',
      records: [{ key: Buffer.from('tombstone'), value: null, headers: {} }],
      handler: 'succeed',
      expect: {
        kind: 'handled',
        why: 'a tombstone has nothing to decode: the handler gets null and succeeds',
        handlerTries: [0],
      },
    },
    {
      family: caseFamilies.registry,
      name: 'registry-framed value: registry unreachable',
      entry: 'registry-down-source',
      records: [{ key: Buffer.from('outage'), value: framed(1, [0x02]), headers: {} }],
      handler: 'succeed',
      expect: {
        kind: 'dead-lettered',
        reason: 'retries-exhausted',
        detail: 'failed 2 times',
        tryCount: 2,
        handlerTries: [],
      },
    },
    {
      family: caseFamilies.registry,
      name: 'registry-framed value: unframed value while the registry is unreachable',
      entry: 'registry-down-source',
      records: [{ key: Buffer.from('unframed'), value: Buffer.from('{}'), headers: {} }],
      handler: 'succeed',
      expect: {
        kind: 'dead-lettered',
        reason: 'decode-failed',
        detail: 'not in the Confluent wire format',
        tryCount: 1,
        handlerTries: [],
      },
    },
  ];
}

/**
 * Values so large that Ricochet's headers tip them over a topic's max.message.bytes. Source
 * topics have the broker's default; the topology gives the tier and the dead-letter topic
 * headroom above it. `margin` bytes are left for the batch and record overhead and the key.
 */
function sizeCases(context: CaseContext): BadInputCase[] {
  const margin = 400;
  const nearLimit = (name: string): CaseRecord => ({
    key: Buffer.from(name),
    value: Buffer.alloc(context.sourceMessageMaxBytes - margin, 0x78),
    headers: {},
  });
  const burstSize = 60;
  return [
    {
      family: caseFamilies.size,
      name: 'large value: near the limit, retryable failure',
      entry: 'source',
      records: [nearLimit('near-limit-retryable')],
      handler: 'fail',
      expect: {
        kind: 'dead-lettered',
        reason: 'record-too-large',
        detail: `${context.sourceTopic} refused`,
        tryCount: 1,
        handlerTries: [0],
      },
    },
    {
      family: caseFamilies.size,
      name: 'large value: near the limit, non-retryable failure',
      entry: 'source',
      records: [nearLimit('near-limit-non-retryable')],
      handler: 'reject',
      expect: {
        kind: 'dead-lettered',
        reason: 'non-retryable-error',
        tryCount: 1,
        handlerTries: [0],
      },
    },
    {
      family: caseFamilies.size,
      name: 'large value: near the limit, tier topic without headroom',
      entry: 'no-headroom-tier-source',
      records: [nearLimit('near-limit-no-headroom')],
      handler: 'fail',
      expect: {
        kind: 'dead-lettered',
        reason: 'record-too-large',
        detail: 'refused',
        tryCount: 1,
        handlerTries: [0],
      },
    },
    {
      family: caseFamilies.size,
      name: `large value: ${burstSize} tier records due at once, together beyond the original topic's max.message.bytes`,
      entry: 'tier',
      records: Array.from({ length: burstSize }, (_, index) => ({
        key: Buffer.from(`burst-${index}`),
        value: Buffer.alloc(4_096, 0x62),
        partition: 1,
        headers: tierHeaders(
          context,
          {},
          {
            original: {
              topic: context.smallSourceTopic,
              partition: 0,
              offset: String(index),
              timestamp: context.now,
            },
          },
        ),
      })),
      handler: 'succeed',
      goesFirst:
        'its redelivery is refused as one request and then goes out record by record; a record of another case in that request may have been written already, and would be sent twice (at least once, but not the exact count the table expects)',
      expect: {
        kind: 'handled',
        why: `${dueRedelivery}: each record fits the topic, so the redelivery must not fail as one oversized batch`,
        handlerTries: Array.from({ length: burstSize }, () => 1),
      },
    },
  ];
}
