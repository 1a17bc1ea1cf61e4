import { expect } from 'chai';
import {
  RetryHeader,
  describeHeaderProblems,
  isRedelivery,
  readRetryContract,
  userHeaders,
  writeDeadLetterHeaders,
  writeRetryContract,
  type HeaderProblem,
  type HeaderValue,
  type HeaderProblemKind,
  type RecordHeaders,
  type RetryContractReading,
} from '@ricochet/core';
import {
  asBuffers,
  maxEpochMilliseconds,
  maxInt64,
  optionalHeaders,
  requiredHeaders,
  sampleContract,
  withHeader,
} from './helpers.js';

function problemsOf(reading: RetryContractReading): readonly HeaderProblem[] {
  if (reading.ok) {
    expect.fail(`expected problems, read ${JSON.stringify(reading.contract)}`);
  }
  return reading.problems;
}

/** Asserts the headers read with exactly one problem, of `kind`, on `header`. */
function expectSingleProblem(
  headers: RecordHeaders,
  header: string,
  kind: HeaderProblemKind,
): HeaderProblem {
  const problems = problemsOf(readRetryContract(headers));
  expect(problems, JSON.stringify(problems)).to.have.length(1);
  const [problem] = problems;
  expect(problem?.header).to.equal(header);
  expect(problem?.kind).to.equal(kind);
  expect(problem?.detail).to.include(header);
  return problem as HeaderProblem;
}

const written = writeRetryContract(sampleContract());

describe('RetryHeader', () => {
  it('has distinct names', () => {
    const names = Object.values(RetryHeader);
    expect(new Set(names).size).to.equal(names.length);
  });
});

describe('writeRetryContract', () => {
  it('writes every field as a decimal or UTF-8 string under its header', () => {
    expect(written).to.deep.equal({
      try_count: '1',
      'original-topic': 'orders',
      'original-partition': '3',
      'original-offset': '42',
      'original-timestamp': '1700000000000',
      'retry-group': 'billing',
      'due-at': '1700000005000',
      'error-class': 'Error',
      'error-message': 'timeout',
      'error-stack': 'Error: timeout\n    at handler',
      'first-failure-at': '1700000000100',
      'last-failure-at': '1700000000100',
    });
  });

  it('writes no dead-letter headers', () => {
    expect(written).not.to.have.property(RetryHeader.deadLetterReason);
    expect(written).not.to.have.property(RetryHeader.deadLetterDetail);
  });
});

describe('readRetryContract', () => {
  it('reads back what writeRetryContract wrote, as strings', () => {
    expect(readRetryContract(written)).to.deep.equal({ ok: true, contract: sampleContract() });
  });

  it('reads back what writeRetryContract wrote, as Buffers from the wire', () => {
    expect(readRetryContract(asBuffers(written))).to.deep.equal({
      ok: true,
      contract: sampleContract(),
    });
  });

  it('reads a contract among user headers', () => {
    const headers = { 'trace-id': 'abc', tenant: Buffer.from('acme'), ...written };
    expect(readRetryContract(headers).ok).to.equal(true);
  });

  it('keeps an int64 offset beyond a JavaScript number exactly', () => {
    const contract = sampleContract({
      original: { topic: 'orders', partition: 0, offset: maxInt64.toString(), timestamp: 0 },
    });
    const reading = readRetryContract(writeRetryContract(contract));
    expect(reading).to.deep.equal({ ok: true, contract });
  });

  it('accepts the bounds of every number', () => {
    const headers = {
      ...written,
      [RetryHeader.tryCount]: '1000000',
      [RetryHeader.originalPartition]: '2147483647',
      [RetryHeader.originalOffset]: '9223372036854775807',
      [RetryHeader.originalTimestamp]: String(maxEpochMilliseconds),
      [RetryHeader.dueAt]: String(maxEpochMilliseconds),
      [RetryHeader.firstFailureAt]: '0',
      [RetryHeader.lastFailureAt]: String(maxEpochMilliseconds),
    };
    const reading = readRetryContract(headers);
    if (!reading.ok) {
      expect.fail(describeHeaderProblems(reading.problems));
    }
    expect(reading.contract.tryCount).to.equal(1_000_000);
    expect(reading.contract.original.partition).to.equal(2_147_483_647);
    expect(reading.contract.original.offset).to.equal('9223372036854775807');
    expect(reading.contract.dueAt).to.equal(maxEpochMilliseconds);
    expect(reading.contract.firstFailureAt).to.equal(0);
  });

  it('reads leading zeros and -0 as plain decimal integers', () => {
    const reading = readRetryContract({
      ...written,
      [RetryHeader.originalOffset]: '0042',
      [RetryHeader.originalPartition]: '-0',
    });
    expect(reading.ok && reading.contract.original.offset).to.equal('42');
    expect(reading.ok && reading.contract.original.partition).to.equal(0);
  });

  it('reports every required header as missing from an empty map', () => {
    const problems = problemsOf(readRetryContract({}));
    expect(problems.map((problem) => problem.header)).to.have.members([...requiredHeaders]);
    expect(problems.every((problem) => problem.kind === 'missing')).to.equal(true);
  });

  it('reports every problem at once, not just the first', () => {
    const headers = {
      ...written,
      [RetryHeader.tryCount]: 'two',
      [RetryHeader.originalTopic]: 'bad topic',
      [RetryHeader.dueAt]: undefined,
    };
    const problems = problemsOf(readRetryContract(headers));
    expect(problems.map((problem) => [problem.header, problem.kind])).to.deep.equal([
      [RetryHeader.tryCount, 'not-an-integer'],
      [RetryHeader.originalTopic, 'invalid-topic-name'],
      [RetryHeader.dueAt, 'missing'],
    ]);
  });

  describe('each required header', () => {
    for (const header of requiredHeaders) {
      describe(header, () => {
        it('reports missing when absent', () => {
          const { [header]: _removed, ...rest } = written;
          expectSingleProblem(rest, header, 'missing');
        });

        it('reports missing when undefined', () => {
          expectSingleProblem(withHeader(written, header, undefined), header, 'missing');
        });

        it('reports empty for an empty string or an empty Buffer', () => {
          expectSingleProblem(withHeader(written, header, ''), header, 'empty');
          expectSingleProblem(withHeader(written, header, Buffer.alloc(0)), header, 'empty');
        });

        it('reports duplicated when it arrives more than once', () => {
          const value = written[header] ?? '';
          const problem = expectSingleProblem(
            withHeader(written, header, [value, Buffer.from(value)]),
            header,
            'duplicated',
          );
          expect(problem.detail).to.include('2 times');
        });

        it('reports not-utf8 for bytes that are not UTF-8', () => {
          expectSingleProblem(
            withHeader(written, header, Buffer.from([0xff, 0xfe])),
            header,
            'not-utf8',
          );
        });
      });
    }
  });

  describe('each numeric header', () => {
    const numeric: Array<[string, string, string]> = [
      // header, just beyond its bound, just within it
      [RetryHeader.tryCount, '1000001', '1000000'],
      [RetryHeader.originalPartition, '2147483648', '2147483647'],
      [RetryHeader.originalOffset, '9223372036854775808', '9223372036854775807'],
      [RetryHeader.originalTimestamp, '8640000000000001', '8640000000000000'],
      [RetryHeader.dueAt, '8640000000000001', '8640000000000000'],
      [RetryHeader.firstFailureAt, '8640000000000001', '8640000000000000'],
      [RetryHeader.lastFailureAt, '8640000000000001', '8640000000000000'],
    ];
    for (const [header, beyond, within] of numeric) {
      describe(header, () => {
        for (const text of ['abc', '1.5', ' 5', '5 ', '+5', '0x10', '1e3', '١٢', '--1', '-']) {
          it(`reports not-an-integer for ${JSON.stringify(text)}`, () => {
            const problem = expectSingleProblem(
              withHeader(written, header, text),
              header,
              'not-an-integer',
            );
            expect(problem.detail).to.include(text);
          });
        }

        it('reports out-of-range for a negative value', () => {
          expectSingleProblem(withHeader(written, header, '-1'), header, 'out-of-range');
        });

        it(`reports out-of-range just beyond its bound (${beyond})`, () => {
          const problem = expectSingleProblem(
            withHeader(written, header, beyond),
            header,
            'out-of-range',
          );
          expect(problem.detail).to.include(beyond);
        });

        it('reports out-of-range for a huge value, previewing it briefly', () => {
          const huge = '9'.repeat(400);
          const problem = expectSingleProblem(
            withHeader(written, header, huge),
            header,
            'out-of-range',
          );
          expect(problem.detail).to.include(`${'9'.repeat(40)}…`);
          expect(problem.detail).not.to.include('9'.repeat(41));
        });

        it(`accepts its bound (${within}), also as a Buffer`, () => {
          expect(readRetryContract(withHeader(written, header, within)).ok).to.equal(true);
          expect(readRetryContract(withHeader(written, header, Buffer.from(within))).ok).to.equal(
            true,
          );
        });
      });
    }

    it('reports out-of-range for a try count of 0', () => {
      expectSingleProblem(
        withHeader(written, RetryHeader.tryCount, '0'),
        'try_count',
        'out-of-range',
      );
    });

    it('reports beyond int64 as out-of-range, not as a rounded number', () => {
      const problem = expectSingleProblem(
        withHeader(written, RetryHeader.originalOffset, '18446744073709551616'),
        RetryHeader.originalOffset,
        'out-of-range',
      );
      expect(problem.detail).to.include('9223372036854775807');
    });
  });

  describe(`the topic header (${RetryHeader.originalTopic})`, () => {
    for (const topic of ['a', 'orders.v2', 'my_topic-1', 'A.b_C-9', 'x'.repeat(249)]) {
      it(`accepts ${topic.length > 20 ? `a name of ${topic.length} characters` : topic}`, () => {
        const reading = readRetryContract(withHeader(written, RetryHeader.originalTopic, topic));
        expect(reading.ok && reading.contract.original.topic).to.equal(topic);
      });
    }

    const invalid = ['orders topic', 'a/b', 'orders:1', 'tópico', 'x'.repeat(250), '.', '..', ' '];
    for (const topic of invalid) {
      it(`reports invalid-topic-name for ${JSON.stringify(topic.length > 20 ? `${topic.length} characters` : topic)}`, () => {
        expectSingleProblem(
          withHeader(written, RetryHeader.originalTopic, topic),
          RetryHeader.originalTopic,
          'invalid-topic-name',
        );
      });
    }
  });

  describe(`the optional ${RetryHeader.redeliverTo} header`, () => {
    it('reads absent as undefined (the original topic), and writes nothing for it', () => {
      const reading = readRetryContract(written);
      expect(reading.ok && reading.contract.redeliverTo).to.equal(undefined);
      expect(written).not.to.have.property(RetryHeader.redeliverTo);
    });

    it('round-trips a topic name', () => {
      const headers = writeRetryContract({
        ...sampleContract(),
        redeliverTo: 'ricochet.billing.redelivery',
      });
      expect(headers[RetryHeader.redeliverTo]).to.equal('ricochet.billing.redelivery');
      const reading = readRetryContract(asBuffers(headers));
      expect(reading.ok && reading.contract.redeliverTo).to.equal('ricochet.billing.redelivery');
    });

    for (const [value, kind] of [
      ['', 'empty'],
      ['has space', 'invalid-topic-name'],
      [['a', 'b'], 'duplicated'],
      [Buffer.from([0xff, 0xfe]), 'not-utf8'],
    ] as const) {
      it(`reports ${kind} for ${JSON.stringify(value)}`, () => {
        expectSingleProblem(
          withHeader(written, RetryHeader.redeliverTo, value as HeaderValue | HeaderValue[]),
          RetryHeader.redeliverTo,
          kind,
        );
      });
    }
  });

  describe('the optional error headers', () => {
    for (const header of optionalHeaders) {
      describe(header, () => {
        it('reads absent as empty', () => {
          const { [header]: _removed, ...rest } = written;
          const reading = readRetryContract(rest);
          expect(reading.ok).to.equal(true);
        });

        it('reads an empty value as empty', () => {
          expect(readRetryContract(withHeader(written, header, '')).ok).to.equal(true);
          expect(readRetryContract(withHeader(written, header, Buffer.alloc(0))).ok).to.equal(true);
        });

        it('still reports duplicated and not-utf8', () => {
          expectSingleProblem(withHeader(written, header, ['a', 'b']), header, 'duplicated');
          expectSingleProblem(
            withHeader(written, header, Buffer.from([0xff, 0xfe])),
            header,
            'not-utf8',
          );
        });
      });
    }

    it('reads all three absent as an empty error description', () => {
      const headers: RecordHeaders = { ...written };
      for (const header of optionalHeaders) {
        delete headers[header];
      }
      const reading = readRetryContract(headers);
      expect(reading.ok && reading.contract.error).to.deep.equal({
        className: '',
        message: '',
        stack: '',
      });
    });

    it('reads an error message with emoji and a leading byte order mark exactly', () => {
      const message = '\uFEFF💥 payment 👩‍💻 failed: café';
      const reading = readRetryContract(
        asBuffers({ ...written, [RetryHeader.errorMessage]: message }),
      );
      expect(reading.ok && reading.contract.error.message).to.equal(message);
    });
  });

  it('ignores the dead-letter headers', () => {
    const headers = { ...written, ...writeDeadLetterHeaders('retries-exhausted', 'after 3 tries') };
    expect(readRetryContract(headers)).to.deep.equal({ ok: true, contract: sampleContract() });
  });
});

describe('describeHeaderProblems', () => {
  it('joins the details of every problem', () => {
    const reading = readRetryContract(
      withHeader(withHeader(written, RetryHeader.tryCount, undefined), RetryHeader.dueAt, ''),
    );
    expect(describeHeaderProblems(problemsOf(reading))).to.equal(
      'header try_count is missing; header due-at is empty',
    );
  });

  it('is empty for no problems', () => {
    expect(describeHeaderProblems([])).to.equal('');
  });
});

describe('isRedelivery', () => {
  it('is true for a record carrying the retry contract', () => {
    expect(isRedelivery(written)).to.equal(true);
    expect(isRedelivery(asBuffers(written))).to.equal(true);
  });

  it('is true as soon as a retry group is present, even with other headers malformed', () => {
    expect(isRedelivery({ [RetryHeader.retryGroup]: Buffer.from('billing') })).to.equal(true);
  });

  it('is false for a record never retried', () => {
    expect(isRedelivery({})).to.equal(false);
    expect(isRedelivery({ 'trace-id': 'abc' })).to.equal(false);
    expect(isRedelivery({ [RetryHeader.retryGroup]: undefined })).to.equal(false);
  });
});

describe('userHeaders', () => {
  it("removes every one of Ricochet's headers and keeps the user's", () => {
    const traceId = Buffer.from('abc');
    const tags = [Buffer.from('a'), Buffer.from('b')];
    const headers = {
      'trace-id': traceId,
      tags,
      tenant: 'acme',
      ...written,
      ...writeDeadLetterHeaders('retries-exhausted', 'gave up'),
    };
    const kept = userHeaders(headers);
    expect(kept).to.deep.equal({ 'trace-id': traceId, tags, tenant: 'acme' });
    expect(kept['trace-id']).to.equal(traceId);
    expect(kept.tags).to.equal(tags);
    for (const name of Object.values(RetryHeader)) {
      expect(kept).not.to.have.property(name);
    }
  });

  it('drops headers whose value is undefined', () => {
    expect(userHeaders({ a: undefined, b: 'x' })).to.deep.equal({ b: 'x' });
  });

  it('does not change the headers it is given', () => {
    const headers = { 'trace-id': 'abc', ...written };
    const before = { ...headers };
    userHeaders(headers);
    expect(headers).to.deep.equal(before);
  });

  it('treats header names case-sensitively, as Kafka does', () => {
    expect(userHeaders({ TRY_COUNT: '7', 'Retry-Group': 'x' })).to.deep.equal({
      TRY_COUNT: '7',
      'Retry-Group': 'x',
    });
  });

  it('keeps a user header named like an Object.prototype member', () => {
    const headers = JSON.parse(
      '{"__proto__": "p", "constructor": "c", "toString": "t", "hasOwnProperty": "h"}',
    ) as RecordHeaders;
    const kept = userHeaders(headers);
    expect(Object.keys(kept)).to.have.members([
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
    ]);
    expect(Object.getOwnPropertyDescriptor(kept, '__proto__')?.value).to.equal('p');
    expect(Object.getPrototypeOf(kept)).to.equal(Object.prototype);
  });

  it('does not let a __proto__ header with a Buffer value become the prototype', () => {
    const value = Buffer.from('p');
    const headers: RecordHeaders = {};
    Object.defineProperty(headers, '__proto__', { value, enumerable: true });
    const kept = userHeaders(headers);
    expect(Object.getPrototypeOf(kept)).to.equal(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(kept, '__proto__')?.value).to.equal(value);
    expect({ ...kept, ...written }).to.have.own.property('__proto__');
  });
});

describe('writeDeadLetterHeaders', () => {
  it('writes the reason and its detail', () => {
    expect(
      writeDeadLetterHeaders('malformed-retry-headers', 'header try_count is missing'),
    ).to.deep.equal({
      'dead-letter-reason': 'malformed-retry-headers',
      'dead-letter-detail': 'header try_count is missing',
    });
  });

  it('uses reserved names, which userHeaders removes', () => {
    const headers = writeDeadLetterHeaders('non-retryable-error', 'bad payload');
    expect(userHeaders(headers)).to.deep.equal({});
  });
});
