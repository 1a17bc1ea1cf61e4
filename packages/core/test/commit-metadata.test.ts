import { expect } from 'chai';
import fc from 'fast-check';
import { decodeCommitMetadata, encodeCommitMetadata, type CommitMetadata } from '@ricochet/core';
import { maxCommitMetadataBytes, maxDoneOffsets } from '@ricochet/core/internal';

const owner = '3f0c9a52-7d7e-4c55-9f43-0b6a1d2e8c11';
const guard = '9223372036854775000';

function range(first: bigint, count: number, stride = 1n): string[] {
  return Array.from({ length: count }, (_, index) => (first + BigInt(index) * stride).toString());
}

/** Whether all of `done` survives the trip through 4 KiB of metadata next to an owner and a guard. */
function fitsIn4KiB(done: readonly string[]): boolean {
  const text = encodeCommitMetadata({ owner, guard, done });
  expect(Buffer.byteLength(text)).to.be.at.most(maxCommitMetadataBytes);
  return decodeCommitMetadata(text)?.done?.length === done.length;
}

/** The largest count of `pattern(count)` that fits, by bisection. */
function capacity(pattern: (count: number) => readonly string[]): number {
  let fits = 1;
  let fitsNot = maxDoneOffsets + 1;
  while (fitsNot - fits > 1) {
    const middle = Math.floor((fits + fitsNot) / 2);
    if (fitsIn4KiB(pattern(middle))) {
      fits = middle;
    } else {
      fitsNot = middle;
    }
  }
  return fits;
}

/** A fixed pseudo-random sequence, so that the figures below stay the same. */
function scattered(count: number, chance: number): string[] {
  let seed = 7;
  const done: string[] = [];
  for (let offset = 1_000_000n; done.length < count; offset += 1n) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    if (seed / 2 ** 31 < chance) {
      done.push(offset.toString());
    }
  }
  return done;
}

describe('commit metadata', () => {
  it('reads back what it wrote: owner alone, with a guard, with an attempt', () => {
    const written: CommitMetadata[] = [
      { owner },
      { owner, guard: '10000' },
      { owner, guard: '9223372036854775807', attempt: { offset: '42', crashes: 2 } },
    ];
    for (const metadata of written) {
      expect(decodeCommitMetadata(encodeCommitMetadata(metadata))).to.deep.equal(metadata);
    }
  });

  it('reads back the done offsets beyond the committed offset', () => {
    const written: CommitMetadata[] = [
      { owner, done: ['7'] },
      { owner, guard: '100', done: range(101n, 500) },
      { owner, guard: '100', done: ['105', '107', '2000', '9223372036854775807'] },
      {
        owner,
        guard: '9223372036854775807',
        attempt: { offset: '42', crashes: 2 },
        done: range(43n, 300, 3n),
      },
    ];
    for (const metadata of written) {
      expect(decodeCommitMetadata(encodeCommitMetadata(metadata))).to.deep.equal(metadata);
    }
  });

  it("reads back a key-strict partition's fence, kept when done is left out", () => {
    const blockedKeys = { writer: 'f1d8c1a6-0d2e-4b8f-9b43-3d7c4b2f6a10', from: '1234' };
    const metadata: CommitMetadata = { owner, guard: '100', blockedKeys };
    expect(decodeCommitMetadata(encodeCommitMetadata(metadata))).to.deep.equal(metadata);
    const done = range(0n, 3000, 1000n);
    expect(decodeCommitMetadata(encodeCommitMetadata({ ...metadata, done }))).to.deep.equal(
      metadata,
    );
  });

  it('writes no done field for an empty set', () => {
    const text = encodeCommitMetadata({ owner, done: [] });
    expect(text).not.to.contain('done');
    expect(decodeCommitMetadata(text)).to.deep.equal({ owner });
  });

  it('leaves out done, and only done, when the text would not fit', () => {
    const metadata = { owner, guard, attempt: { offset: '42', crashes: 1 } };
    const done = range(0n, 3000, 1000n); // scattered: about 4 bytes each
    const full = encodeCommitMetadata({ ...metadata, done }, 1_000_000);
    expect(decodeCommitMetadata(full)?.done).to.deep.equal(done);
    expect(Buffer.byteLength(full)).to.be.above(maxCommitMetadataBytes);

    const fallback = encodeCommitMetadata({ ...metadata, done });
    expect(Buffer.byteLength(fallback)).to.be.at.most(maxCommitMetadataBytes);
    expect(decodeCommitMetadata(fallback)).to.deep.equal(metadata);

    // The limit is the caller's: the same set fits a smaller one once it is small enough.
    const small = range(0n, 10, 1000n);
    expect(Buffer.byteLength(encodeCommitMetadata({ ...metadata, done: small }))).to.be.below(200);
    expect(
      decodeCommitMetadata(encodeCommitMetadata({ ...metadata, done: small }, 100)),
    ).to.deep.equal(metadata);
  });

  it('leaves out a done set larger than a reader accepts, however short its text', () => {
    const done = range(0n, maxDoneOffsets + 1);
    expect(decodeCommitMetadata(encodeCommitMetadata({ owner, done }))).to.deep.equal({ owner });
    expect(
      decodeCommitMetadata(encodeCommitMetadata({ owner, done: done.slice(1) }))?.done,
    ).to.have.length(maxDoneOffsets);
  });

  it('holds these many done offsets in 4 KiB, next to an owner and a guard', () => {
    const figures = {
      contiguous: capacity((count) => range(1_000_000n, count)),
      everyOther: capacity((count) => range(1_000_000n, count, 2n)),
      everyFourth: capacity((count) => range(1_000_000n, count, 4n)),
      randomHalf: capacity((count) => scattered(count, 0.5)),
      randomTenth: capacity((count) => scattered(count, 0.1)),
      randomHundredth: capacity((count) => scattered(count, 0.01)),
      gapsUnder128: capacity((count) => range(1_000_000n, count, 100n)),
      gapsUnder16384: capacity((count) => range(1_000_000n, count, 10_000n)),
      // The worst case: every offset alone, as far from the next as 2^63 - 1 allows.
      farthestApart: capacity((count) => range(0n, count, (2n ** 63n - 1n) / BigInt(count))),
    };
    expect(figures).to.deep.equal({
      contiguous: maxDoneOffsets, // one run: the reader's bound, not the bytes, is the limit
      everyOther: 11_977,
      everyFourth: 5_989,
      randomHalf: 12_258,
      randomTenth: 2_452,
      randomHundredth: 1_327,
      gapsUnder128: 1_497,
      gapsUnder16384: 998,
      farthestApart: 334,
    });
  });

  it('reads a done field that does not check out as absent, and keeps the rest', () => {
    for (const done of [
      5,
      null,
      ['5'],
      '',
      'r5',
      'r5.AAA', // ends on a run not done
      `r0.${Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]).toString('base64url')}`,
      'b5.AQA',
      'x'.repeat(100_000),
    ]) {
      const text = JSON.stringify({ v: 1, owner, guard: '10', done });
      expect(decodeCommitMetadata(text), JSON.stringify(done).slice(0, 40)).to.deep.equal({
        owner,
        guard: '10',
      });
    }
  });

  it('stays far below the broker’s 4 KiB metadata limit', () => {
    const largest = encodeCommitMetadata({
      owner: 'o'.repeat(200),
      guard: '9223372036854775807',
      attempt: { offset: '9223372036854775807', crashes: 1_000_000 },
    });
    expect(Buffer.byteLength(largest)).to.be.below(400);
  });

  it('reads anything else as saying nothing: none, another version, another tool’s text, bad fields', () => {
    for (const text of [
      null,
      undefined,
      '',
      'not json',
      '[]',
      'null',
      '{"owner":"a"}',
      `{"v":2,"owner":"a","guard":"5"}`,
      `{"v":1}`,
      `{"v":1,"owner":""}`,
      `{"v":1,"owner":"a","guard":5}`,
      `{"v":1,"owner":"a","guard":"-1"}`,
      `{"v":1,"owner":"a","guard":"007"}`,
      `{"v":1,"owner":"a","guard":"99999999999999999999"}`,
      `{"v":1,"owner":"a","attempt":"5"}`,
      `{"v":1,"owner":"a","attempt":"5","crashes":-1}`,
      `{"v":1,"owner":"a","attempt":"5","crashes":1.5}`,
      `{"v":1,"owner":"a","attempt":"5","crashes":1e12}`,
      `{"v":1,"owner":"a","blockedKeysWriter":"w"}`,
      `{"v":1,"owner":"a","blockedKeysFrom":"5"}`,
      `{"v":1,"owner":"a","blockedKeysWriter":"","blockedKeysFrom":"5"}`,
      `{"v":1,"owner":"a","blockedKeysWriter":"w","blockedKeysFrom":5}`,
    ]) {
      expect(decodeCommitMetadata(text), String(text)).to.equal(undefined);
    }
  });

  it('never throws on any text, and what it reads back encodes to the same', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const decoded = decodeCommitMetadata(text);
        if (decoded !== undefined) {
          expect(decodeCommitMetadata(encodeCommitMetadata(decoded))).to.deep.equal(decoded);
        }
      }),
    );
  });
});
