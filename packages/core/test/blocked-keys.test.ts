import { expect } from 'chai';
import fc from 'fast-check';
import {
  BlockedKeysRecordError,
  ConfigError,
  RetryHeader,
  WaitingHeader,
  blockedKeysPartition,
  blockedKeysRecordKey,
  blockedKeysTopic,
  redeliveryGroup,
  redeliveryTopic,
  deadLetterReasons,
  decodeBlockedKeysRecord,
  encodeBlockedKeysRecord,
  entryRecordKey,
  fromWaitingRecord,
  keyBase64,
  keyFromBase64,
  keyId,
  releaseRecordKey,
  releasedRecordKey,
  toWaitingRecord,
  userHeaders,
  waitingTopic,
  type BlockedKeyEntry,
  type BlockedKeysRecord,
  type ConsumedRecord,
  type ReleaseCommand,
  type ReleasedBlocker,
} from '@ricochet/core';

const entry: BlockedKeyEntry = {
  version: 1,
  kind: 'entry',
  topic: 'orders',
  partition: 3,
  key: keyBase64(Buffer.from('account-7')),
  blocker: { offset: '42', since: 1_700_000_000_000 },
  waitingSince: 1_700_000_001_000,
  followers: 2,
  lastFollowerOffset: '50',
  handledThroughOffset: null,
  deadLetterFollowers: false,
  updatedAt: 1_700_000_002_000,
};
const release: ReleaseCommand = {
  version: 1,
  kind: 'release',
  topic: 'orders',
  partition: 3,
  key: null,
  requestedAt: 1_700_000_003_000,
};
const released: ReleasedBlocker = {
  version: 1,
  kind: 'released',
  topic: 'orders',
  partition: 3,
  key: '',
  offset: '42',
  releasedAt: 1_700_000_004_000,
};

function roundTrip(record: BlockedKeysRecord): unknown {
  return decodeBlockedKeysRecord(blockedKeysRecordKey(record), encodeBlockedKeysRecord(record));
}

/** The entry's value with `fields` replaced (undefined removes a field). */
function entryValue(fields: Record<string, unknown>): Buffer {
  const value = JSON.parse(encodeBlockedKeysRecord(entry).toString()) as Record<string, unknown>;
  for (const [name, field] of Object.entries(fields)) {
    if (field === undefined) {
      delete value[name];
    } else {
      value[name] = field;
    }
  }
  return Buffer.from(JSON.stringify(value));
}

function decodeError(recordKey: string, value: Buffer | null): BlockedKeysRecordError {
  try {
    decodeBlockedKeysRecord(recordKey, value);
  } catch (error) {
    expect(error).to.be.instanceOf(BlockedKeysRecordError);
    return error as BlockedKeysRecordError;
  }
  return expect.fail('expected a BlockedKeysRecordError');
}

const entryKey = blockedKeysRecordKey(entry);

describe('group topic names', () => {
  it('names the topics of a group', () => {
    expect(blockedKeysTopic('billing')).to.equal('ricochet.billing.blocked-keys');
    expect(waitingTopic('billing')).to.equal('ricochet.billing.waiting');
    expect(redeliveryTopic('billing')).to.equal('ricochet.billing.redelivery');
  });

  it('names the consumer group reading a group redelivery topic after the topic', () => {
    expect(redeliveryGroup('billing')).to.equal('ricochet.billing.redelivery');
  });

  for (const groupId of ['', 'has space', 'a/b', 'x'.repeat(240)]) {
    it(`refuses group id ${JSON.stringify(groupId.slice(0, 20))}, naming groupId`, () => {
      for (const name of [blockedKeysTopic, waitingTopic, redeliveryTopic, redeliveryGroup]) {
        expect(() => name(groupId))
          .to.throw(ConfigError)
          .with.property('field', 'groupId');
      }
    });
  }
});

describe('keyId and record keys', () => {
  it('keeps the null key, the empty key and key bytes apart, never raw bytes', () => {
    expect(keyId(null)).to.equal('null');
    expect(keyId(Buffer.alloc(0))).to.equal('k');
    expect(keyId(Buffer.from('null'))).to.equal('kbnVsbA');
    expect(keyId(Buffer.from([0xff, 0xfe, 0x2f]))).to.equal('k__4v');
    expect(keyId(Buffer.from('a/b\n'))).to.not.match(/[/\n]/);
  });

  it('names records by kind, topic, partition and key or offset', () => {
    expect(entryRecordKey('orders', 3, Buffer.from('a'))).to.equal('entry/orders/3/kYQ');
    expect(releaseRecordKey('orders', 3, null)).to.equal('release/orders/3/null');
    expect(releasedRecordKey('orders', 3, '42')).to.equal('released/orders/3/42');
  });

  it('gives distinct keys distinct ids', () => {
    fc.assert(
      fc.property(
        fc.option(fc.uint8Array({ maxLength: 40 })),
        fc.option(fc.uint8Array({ maxLength: 40 })),
        (left, right) => {
          const leftKey = left === null ? null : Buffer.from(left);
          const rightKey = right === null ? null : Buffer.from(right);
          const same =
            leftKey === null || rightKey === null ? leftKey === rightKey : leftKey.equals(rightKey);
          expect(keyId(leftKey) === keyId(rightKey)).to.equal(same);
        },
      ),
    );
  });

  it('reads a key back from its base64', () => {
    expect(keyFromBase64(null)).to.equal(null);
    expect(keyFromBase64(keyBase64(Buffer.from([0, 1, 255])))).to.deep.equal(
      Buffer.from([0, 1, 255]),
    );
  });
});

describe('blockedKeysPartition', () => {
  it('maps a source partition onto the topic partitions', () => {
    expect(blockedKeysPartition(0, 3)).to.equal(0);
    expect(blockedKeysPartition(7, 3)).to.equal(1);
    expect(blockedKeysPartition(2, 12)).to.equal(2);
  });

  it('refuses a partition count that is not positive and a negative partition', () => {
    expect(() => blockedKeysPartition(1, 0)).to.throw(/positive number of partitions/);
    expect(() => blockedKeysPartition(-1, 3)).to.throw(/whole number from 0/);
  });
});

describe('encodeBlockedKeysRecord / decodeBlockedKeysRecord', () => {
  it('round-trips each kind', () => {
    expect(roundTrip(entry)).to.deep.equal(entry);
    expect(roundTrip(release)).to.deep.equal(release);
    expect(roundTrip(released)).to.deep.equal(released);
    expect(roundTrip({ ...entry, blocker: null, handledThroughOffset: '45' })).to.deep.equal({
      ...entry,
      blocker: null,
      handledThroughOffset: '45',
    });
  });

  it("round-trips a drained follower's attempt, and reads an entry without one as none", () => {
    const attempted = { ...entry, attempt: { offset: '45', crashes: 2 } };
    expect(roundTrip(attempted)).to.deep.equal(attempted);
    const careful = { ...entry, attempt: { offset: '45', crashes: 1, careful: true } };
    expect(roundTrip(careful)).to.deep.equal(careful);
    expect(roundTrip(entry)).to.not.have.property('attempt');
    expect(JSON.parse(encodeBlockedKeysRecord(entry).toString())).to.not.have.property('attempt');
  });

  for (const attempt of [
    null,
    3,
    { offset: '45' },
    { offset: 45, crashes: 0 },
    { offset: '45', crashes: -1 },
    { offset: '45', crashes: 0, careful: 'yes' },
  ]) {
    it(`refuses the attempt ${JSON.stringify(attempt)}`, () => {
      const value = { ...JSON.parse(encodeBlockedKeysRecord(entry).toString()), attempt };
      expect(decodeError(entryKey, Buffer.from(JSON.stringify(value))).problem).to.match(
        /^attempt/,
      );
    });
  }

  it("round-trips a released marker's reason, and reads a marker without one as released by an operator", () => {
    const deadLettered: ReleasedBlocker = { ...released, reason: 'handler-crashed' };
    expect(roundTrip(deadLettered)).to.deep.equal(deadLettered);
    expect(roundTrip({ ...released, reason: 'released-by-operator' })).to.deep.equal({
      ...released,
      reason: 'released-by-operator',
    });
    // Written before the field existed.
    expect(roundTrip(released)).to.not.have.property('reason');
  });

  for (const reason of ['crashed', 7, null, '']) {
    it(`refuses the released marker's reason ${JSON.stringify(reason)}`, () => {
      const value = { ...JSON.parse(encodeBlockedKeysRecord(released).toString()), reason };
      expect(() =>
        decodeBlockedKeysRecord(blockedKeysRecordKey(released), Buffer.from(JSON.stringify(value))),
      ).to.throw(BlockedKeysRecordError, /reason/);
    });
  }

  it("round-trips an entry's waiting-topic offset, and reads an entry without one as none", () => {
    const from = { ...entry, waitingFromOffset: '812' };
    expect(roundTrip(from)).to.deep.equal(from);
    expect(roundTrip(entry)).to.not.have.property('waitingFromOffset');
    expect(JSON.parse(encodeBlockedKeysRecord(entry).toString())).to.not.have.property(
      'waitingFromOffset',
    );
  });

  for (const waitingFromOffset of [null, 812, '-1', '08']) {
    it(`refuses the waitingFromOffset ${JSON.stringify(waitingFromOffset)}`, () => {
      const value = {
        ...JSON.parse(encodeBlockedKeysRecord(entry).toString()),
        waitingFromOffset,
      };
      expect(decodeError(entryKey, Buffer.from(JSON.stringify(value))).problem).to.match(
        /^waitingFromOffset/,
      );
    });
  }

  it('writes version 1 JSON', () => {
    expect(JSON.parse(encodeBlockedKeysRecord(release).toString())).to.deep.equal({
      version: 1,
      kind: 'release',
      topic: 'orders',
      partition: 3,
      key: null,
      requestedAt: 1_700_000_003_000,
    });
  });

  it('reads a null value as a tombstone of its record key', () => {
    for (const recordKey of [
      entryKey,
      releaseRecordKey('orders', 0, Buffer.alloc(0)),
      releasedRecordKey('o', 2, '9'),
    ]) {
      expect(decodeBlockedKeysRecord(recordKey, null)).to.deep.equal({
        kind: 'tombstone',
        recordKey,
      });
    }
  });

  for (const recordKey of [
    '',
    'entry/orders/3',
    'entry/orders/3/raw-key',
    'entry/orders/03/null',
    'entry/or ders/3/null',
    'entry/orders/3/k+/==',
    'entry/orders/3/kYR',
    'released/orders/3/kYQ',
    'released/orders/3/01',
    'released/orders/3/99999999999999999999',
    'other/orders/3/null',
    'entry/orders/99999999999/null',
  ]) {
    it(`refuses the tombstone of record key ${JSON.stringify(recordKey)}`, () => {
      expect(decodeError(recordKey, null).problem).to.match(/record key is not/);
    });
  }

  it('ignores fields it does not know, and does not carry them on', () => {
    const record = decodeBlockedKeysRecord(entryKey, entryValue({ later: 'x' }));
    expect(record).to.deep.equal(entry);
    expect(Object.keys(record)).to.not.include('later');
  });

  const malformed: ReadonlyArray<[string, Buffer, RegExp]> = [
    ['not JSON', Buffer.from('{'), /not JSON/],
    ['not an object', Buffer.from('[1]'), /not a JSON object/],
    ['another version', entryValue({ version: 2 }), /version is "2"/],
    ['no version', entryValue({ version: undefined }), /version is "undefined"/],
    ['an unknown kind', entryValue({ kind: 'block' }), /kind is "block"/],
    ['a bad topic', entryValue({ topic: 'a/b' }), /topic is/],
    ['a negative partition', entryValue({ partition: -1 }), /partition is "-1"/],
    ['a fractional partition', entryValue({ partition: 1.5 }), /partition is/],
    ['a key that is not base64', entryValue({ key: 'a b' }), /key is/],
    ['a key that is not canonical base64', entryValue({ key: 'YR==' }), /key is/],
    ['a numeric offset', entryValue({ lastFollowerOffset: 50 }), /lastFollowerOffset is "50"/],
    ['an offset beyond int64', entryValue({ lastFollowerOffset: '9223372036854775808' }), /last/],
    ['a negative follower count', entryValue({ followers: -1 }), /followers is "-1"/],
    ['a missing field', entryValue({ updatedAt: undefined }), /updatedAt is missing/],
    ['a text boolean', entryValue({ deadLetterFollowers: 'true' }), /deadLetterFollowers/],
    ['a blocker of no offset', entryValue({ blocker: { since: 1 } }), /blocker\.offset is missing/],
    ['a blocker that is a list', entryValue({ blocker: [] }), /blocker is/],
    ['a time beyond a Date', entryValue({ updatedAt: 8.7e15 }), /updatedAt is/],
    [
      'followers without a last follower',
      entryValue({ lastFollowerOffset: null }),
      /followers is 2 but/,
    ],
    [
      'handled beyond the last follower',
      entryValue({ handledThroughOffset: '51' }),
      /handledThroughOffset is beyond/,
    ],
  ];
  for (const [what, value, problem] of malformed) {
    it(`refuses ${what}, naming the problem`, () => {
      expect(decodeError(entryKey, value).problem).to.match(problem);
    });
  }

  it('refuses a value under another record key', () => {
    const error = decodeError(
      entryRecordKey('orders', 4, Buffer.from('account-7')),
      encodeBlockedKeysRecord(entry),
    );
    expect(error.problem).to.match(/belongs under the record key "entry\/orders\/3\//);
  });

  it('escapes what it quotes from the record', () => {
    const error = decodeError(
      'entry/\u001b]52;c;x\u0007',
      Buffer.from(JSON.stringify({ version: '\u001b[2J' })),
    );
    expect(error.message).to.not.include('\u001b');
    expect(error.message).to.include('\\x1b');
  });

  it('is total on arbitrary bytes: a record or a BlockedKeysRecordError', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.uint8Array({ maxLength: 200 })), (key, value) => {
        try {
          decodeBlockedKeysRecord(key, value === null ? null : Buffer.from(value));
        } catch (error) {
          expect(error).to.be.instanceOf(BlockedKeysRecordError);
        }
      }),
    );
  });

  it('round-trips every record it can encode', () => {
    const topic = fc
      .stringMatching(/^[a-zA-Z0-9._-]{1,40}$/)
      .filter((t) => t !== '.' && t !== '..');
    const partition = fc.integer({ min: 0, max: 2 ** 31 - 1 });
    const key = fc.option(fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)));
    const offset = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String);
    const epoch = fc.integer({ min: 0, max: 2 ** 53 - 1 }).map((n) => Math.min(n, 8.64e15));
    const entries = fc
      .record({
        topic,
        partition,
        key,
        blocker: fc.option(fc.record({ offset, since: epoch })),
        waitingSince: epoch,
        followers: fc.nat(),
        lastFollowerOffset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
        handled: fc.option(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n })),
        deadLetterFollowers: fc.boolean(),
        updatedAt: epoch,
      })
      .map((fields): BlockedKeyEntry => ({
        version: 1,
        kind: 'entry',
        topic: fields.topic,
        partition: fields.partition,
        key: keyBase64(fields.key),
        blocker: fields.blocker,
        waitingSince: fields.waitingSince,
        followers: fields.followers,
        lastFollowerOffset: String(fields.lastFollowerOffset),
        handledThroughOffset:
          fields.handled === null
            ? null
            : String(fields.handled > fields.lastFollowerOffset ? 0n : fields.handled),
        deadLetterFollowers: fields.deadLetterFollowers,
        updatedAt: fields.updatedAt,
      }));
    const commands = fc
      .record({ topic, partition, key, requestedAt: epoch })
      .map((fields): ReleaseCommand => ({
        version: 1,
        kind: 'release',
        ...fields,
        key: keyBase64(fields.key),
      }));
    const markers = fc
      .record(
        {
          topic,
          partition,
          key,
          offset,
          releasedAt: epoch,
          reason: fc.constantFrom(...deadLetterReasons),
        },
        { requiredKeys: ['topic', 'partition', 'key', 'offset', 'releasedAt'] },
      )
      .map((fields): ReleasedBlocker => ({
        version: 1,
        kind: 'released',
        ...fields,
        key: keyBase64(fields.key),
      }));
    fc.assert(
      fc.property(fc.oneof(entries, commands, markers), (record) => {
        expect(roundTrip(record)).to.deep.equal(record);
        expect(decodeBlockedKeysRecord(blockedKeysRecordKey(record), null)).to.deep.equal({
          kind: 'tombstone',
          recordKey: blockedKeysRecordKey(record),
        });
      }),
    );
  });
});

describe('toWaitingRecord / fromWaitingRecord', () => {
  const firstAttempt: ConsumedRecord = {
    topic: 'orders',
    partition: 5,
    offset: '77',
    timestamp: '1700000000123',
    key: Buffer.from('account-7'),
    value: Buffer.from('{"debit":5}'),
    headers: { trace: Buffer.from('abc'), tags: [Buffer.from('a'), Buffer.from('b')] },
  };

  it('sends a first attempt with its own position and the waiting headers', () => {
    const outgoing = toWaitingRecord(firstAttempt, 'billing', '42', 'ricochet.billing.waiting', 2);
    expect(outgoing).to.deep.equal({
      topic: 'ricochet.billing.waiting',
      partition: 2,
      key: firstAttempt.key,
      value: firstAttempt.value,
      headers: {
        ...firstAttempt.headers,
        [RetryHeader.originalTopic]: 'orders',
        [RetryHeader.originalPartition]: '5',
        [RetryHeader.originalOffset]: '77',
        [RetryHeader.originalTimestamp]: '1700000000123',
        [WaitingHeader.group]: 'billing',
        [WaitingHeader.forOffset]: '42',
      },
    });
  });

  /** The outgoing record as the waiting topic hands it back, at `offset`. */
  function consumedFromWaiting(record: ConsumedRecord, offset: string): ConsumedRecord {
    const outgoing = toWaitingRecord(record, 'billing', '42', 'ricochet.billing.waiting', 2);
    return {
      topic: outgoing.topic,
      partition: 2,
      offset,
      timestamp: '1800000000000',
      key: outgoing.key,
      value: outgoing.value,
      headers: outgoing.headers,
    };
  }

  it('brings a first attempt back as it was consumed', () => {
    expect(fromWaitingRecord(consumedFromWaiting(firstAttempt, '3'))).to.deep.equal(firstAttempt);
  });

  it('keeps the original position of a redelivery, and its contract', () => {
    const redelivery: ConsumedRecord = {
      topic: 'orders',
      partition: 5,
      offset: '300',
      timestamp: '1700000009999',
      key: null,
      value: null,
      headers: {
        [RetryHeader.retryGroup]: 'billing',
        [RetryHeader.tryCount]: '2',
        [RetryHeader.originalTopic]: 'orders',
        [RetryHeader.originalPartition]: '5',
        [RetryHeader.originalOffset]: '60',
        [RetryHeader.originalTimestamp]: '1700000000000',
      },
    };
    const outgoing = toWaitingRecord(redelivery, 'billing', '42', 'w', 0);
    expect(outgoing.headers[RetryHeader.originalOffset]).to.equal('60');
    expect(fromWaitingRecord(consumedFromWaiting(redelivery, '9'))).to.deep.equal({
      ...redelivery,
      offset: '60',
      timestamp: '1700000000000',
    });
  });

  it("replaces a producer's own waiting and original headers on a first attempt", () => {
    const forged: ConsumedRecord = {
      ...firstAttempt,
      headers: {
        [WaitingHeader.group]: 'other',
        [RetryHeader.originalOffset]: '1',
        keep: 'yes',
      },
    };
    const outgoing = toWaitingRecord(forged, 'billing', '42', 'w', 0);
    expect(outgoing.headers[WaitingHeader.group]).to.equal('billing');
    expect(outgoing.headers[RetryHeader.originalOffset]).to.equal('77');
    expect(fromWaitingRecord(consumedFromWaiting(forged, '1')).headers).to.deep.equal({
      keep: 'yes',
    });
  });

  it('keeps a header named __proto__ as a header', () => {
    const headers = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
    const back = fromWaitingRecord(consumedFromWaiting({ ...firstAttempt, headers }, '1'));
    expect(Object.keys(back.headers)).to.deep.equal(['__proto__']);
    expect(Object.getPrototypeOf(back.headers)).to.equal(Object.prototype);
  });

  it('does not show the waiting headers to handlers', () => {
    const waiting = consumedFromWaiting(firstAttempt, '1');
    expect(Object.keys(userHeaders(waiting.headers))).to.deep.equal(['trace', 'tags']);
  });

  for (const [header, value] of [
    [RetryHeader.originalTopic, 'a/b'],
    [RetryHeader.originalPartition, '-1'],
    [RetryHeader.originalOffset, '007'],
    [RetryHeader.originalTimestamp, 'soon'],
    [RetryHeader.originalOffset, undefined],
  ] as const) {
    it(`refuses a waiting record whose ${header} is ${String(value)}, naming it`, () => {
      const waiting = consumedFromWaiting(firstAttempt, '1');
      const headers = { ...waiting.headers, [header]: value };
      expect(() => fromWaitingRecord({ ...waiting, headers }))
        .to.throw(BlockedKeysRecordError)
        .with.property('problem')
        .that.includes(header);
    });
  }

  it('round-trips arbitrary first attempts', () => {
    const headerName = fc
      .string({ maxLength: 10 })
      .filter((name) => !/^(original-|waiting-|retry-group)/.test(name));
    fc.assert(
      fc.property(
        fc.record({
          topic: fc.constantFrom('orders', 'a', 'x.y_z-1'),
          partition: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          offset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String),
          timestamp: fc.integer({ min: 0, max: 2 ** 52 }).map(String),
          key: fc.option(fc.uint8Array({ maxLength: 20 }).map((bytes) => Buffer.from(bytes))),
          value: fc.option(fc.uint8Array({ maxLength: 20 }).map((bytes) => Buffer.from(bytes))),
          headers: fc.dictionary(headerName, fc.string({ maxLength: 10 })),
        }),
        (record: ConsumedRecord) => {
          expect(fromWaitingRecord(consumedFromWaiting(record, '5'))).to.deep.equal(record);
        },
      ),
    );
  });
});
