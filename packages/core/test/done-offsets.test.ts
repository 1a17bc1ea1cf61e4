import { expect } from 'chai';
import fc from 'fast-check';
import { RicochetError } from '@ricochet/core';
import { decodeDoneOffsets, encodeDoneOffsets, maxDoneOffsets } from '@ricochet/core/internal';

const maxOffset = 2n ** 63n - 1n;

function offsets(...values: (bigint | number)[]): string[] {
  return values.map((value) => BigInt(value).toString());
}

function range(first: bigint, count: number, stride = 1n): string[] {
  return Array.from({ length: count }, (_, index) => (first + BigInt(index) * stride).toString());
}

function roundTrip(done: readonly string[]): readonly string[] | undefined {
  return decodeDoneOffsets(encodeDoneOffsets(done));
}

/** Base64url of raw payload bytes, for texts written by hand. */
function payload(...bytes: number[]): string {
  return Buffer.from(bytes).toString('base64url');
}

describe('done offsets', () => {
  it('writes nothing for the empty set', () => {
    expect(encodeDoneOffsets([])).to.equal(undefined);
  });

  it('reads back one offset, a dense run, a sparse set, huge gaps and offsets near 2^63', () => {
    const sets = [
      offsets(0),
      offsets(42),
      range(1000n, 5000),
      offsets(5, 7, 9, 10, 11, 30, 31, 1000),
      range(7n, 200, 3n),
      offsets(0, 2n ** 40n, 2n ** 62n, maxOffset),
      offsets(maxOffset - 3n, maxOffset - 1n, maxOffset),
      range(maxOffset - 99n, 100),
      offsets(0, maxOffset),
    ];
    for (const done of sets) {
      expect(roundTrip(done), done.slice(0, 3).join(',')).to.deep.equal(done);
    }
  });

  it('writes the first offset in decimal behind a one-letter tag', () => {
    expect(encodeDoneOffsets(offsets(42))).to.equal('b42.');
    expect(encodeDoneOffsets(range(100n, 1000))).to.equal(`r100.${payload(0xe7, 0x07)}`);
  });

  it('keeps the shorter of run lengths and bitset', () => {
    // A long run: a varint; scattered every other offset: two bits per offset.
    expect(encodeDoneOffsets(range(10n, 10_000))).to.match(/^r10\./);
    const everyOther = encodeDoneOffsets(range(10n, 1000, 2n)) as string;
    expect(everyOther).to.match(/^b10\./);
    expect(everyOther.length).to.be.below(400);
    // Far apart: a bitset would cost a bit per offset of the span.
    expect(encodeDoneOffsets(offsets(10, 1_000_000))).to.match(/^r10\./);
  });

  it('reads back any ascending set, through whichever encoding is shorter', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: maxOffset }),
        fc.array(
          fc.oneof(fc.bigInt({ min: 1n, max: 3n }), fc.bigInt({ min: 1n, max: 2n ** 40n })),
          {
            maxLength: 300,
          },
        ),
        (first, gaps) => {
          const done = [first];
          for (const gap of gaps) {
            const next = (done[done.length - 1] as bigint) + gap;
            if (next > maxOffset) break;
            done.push(next);
          }
          const text = done.map(String);
          expect(roundTrip(text)).to.deep.equal(text);
        },
      ),
    );
  });

  it('refuses to write what is not a canonical ascending set of at most maxDoneOffsets', () => {
    for (const done of [
      ['5', '5'],
      ['6', '5'],
      ['007'],
      ['-1'],
      ['1.5'],
      ['9223372036854775808'],
      range(0n, maxDoneOffsets + 1),
    ]) {
      expect(() => encodeDoneOffsets(done), done.slice(0, 2).join(','))
        .to.throw(RicochetError)
        .with.property('code', 'INVALID_DONE_OFFSETS');
    }
  });

  it('accepts exactly maxDoneOffsets offsets', () => {
    const done = range(0n, maxDoneOffsets);
    expect(roundTrip(done)).to.deep.equal(done);
  });

  it('reads hostile or broken text as no set, without throwing or expanding huge runs', () => {
    const huge = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]; // 2^60 as a varint
    for (const text of [
      undefined,
      null,
      42,
      ['1'],
      {},
      '',
      'r',
      'r5',
      'r5.', // no runs
      'x5.AA',
      'R5.AA',
      'r05.AA',
      'r-1.AA',
      'r 5.AA',
      'r9223372036854775808.AA', // first beyond 2^63 - 1
      'b9223372036854775808.',
      'r99999999999999999999.AA',
      'r5.AA==', // padding: not base64url as written
      'r5.A', // not canonical base64
      'r5.AB', // stray bits in the last character
      'r5.A+', // base64, not base64url
      `r5.${payload(0, 0)}`, // ends on a run not done
      `r5.${payload(0x80)}`, // varint cut short
      `r5.${payload(0x80, 0x00)}`, // varint longer than it needs to be
      `r5.${payload(...huge)}`, // a run of 2^60 + 1 offsets
      `r0.${payload(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)}`, // a 10-byte varint
      `r5.${payload(0, ...writeVarint(maxOffset - 6n), 0)}`, // a gap that ends past 2^63 - 1
      `r9223372036854775807.${payload(1)}`, // a run past 2^63
      `r0.${payload(...writeVarint(BigInt(maxDoneOffsets)))}`, // one more than the reader accepts
      `b5.${payload(1, 0)}`, // trailing zero byte
      `b9223372036854775807.${payload(1)}`, // a bit past 2^63
      `b9223372036854775800.${payload(0, 0x80)}`, // bit 15: offset 2^63 + 8
    ]) {
      expect(() => decodeDoneOffsets(text), String(text)).not.to.throw();
      expect(decodeDoneOffsets(text), String(text)).to.equal(undefined);
    }
  });

  it('reads the largest set a reader accepts from a few bytes, and no more', () => {
    const text = `r0.${payload(...writeVarint(BigInt(maxDoneOffsets - 1)))}`;
    expect(text.length).to.be.below(10);
    expect(decodeDoneOffsets(text)).to.have.length(maxDoneOffsets);
  });

  it('never throws on any text, and what it reads back is ascending and encodes to the same', () => {
    const tagged = fc
      .tuple(fc.constantFrom('r', 'b'), fc.bigInt({ min: 0n, max: maxOffset }), fc.uint8Array())
      .map(([tag, first, bytes]) => `${tag}${first}.${Buffer.from(bytes).toString('base64url')}`);
    fc.assert(
      fc.property(fc.oneof(fc.string(), tagged), (text) => {
        const done = decodeDoneOffsets(text);
        if (done !== undefined) {
          expect(done.length).to.be.within(1, maxDoneOffsets);
          const values = done.map(BigInt);
          values.forEach((value, index) => {
            expect(value <= maxOffset).to.equal(true);
            if (index > 0) expect(value > (values[index - 1] as bigint)).to.equal(true);
          });
          expect(roundTrip(done)).to.deep.equal(done);
        }
      }),
    );
  });
});

function writeVarint(value: bigint): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return bytes;
}
