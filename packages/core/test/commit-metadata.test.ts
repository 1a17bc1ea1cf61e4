import { expect } from 'chai';
import fc from 'fast-check';
import { decodeCommitMetadata, encodeCommitMetadata, type CommitMetadata } from '@ricochet/core';

const owner = '3f0c9a52-7d7e-4c55-9f43-0b6a1d2e8c11';

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
