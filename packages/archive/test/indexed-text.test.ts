import { createHash } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { indexedText, maxIndexedTextBytes } from '@ricochet/archive/internal';

const bytesOf = (text: string): number => Buffer.byteLength(text, 'utf8');
const marker = /…\[truncated from (\d+) bytes, sha256 ([0-9a-f]{64})\]$/;

/** Texts around the bound: ASCII, two-, three- and four-byte characters, in runs of each. */
const text = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme-ascii', maxLength: 400 }),
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc
        .constantFrom('é', '€', '😀')
        .chain((character) =>
          fc.integer({ min: 0, max: 400 }).map((count) => character.repeat(count)),
        ),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

describe('indexedText', () => {
  it('keeps a text that fits the bound as it is, and leaves null null', () => {
    expect(indexedText(null)).to.equal(null);
    const fits = '€'.repeat(maxIndexedTextBytes / 3);
    expect(indexedText(fits)).to.equal(fits);
    expect(indexedText('TimeoutError')).to.equal('TimeoutError');
  });

  it('keeps the start of a longer text and marks the cut with its length and SHA-256', () => {
    const long = 'x'.repeat(10_000);
    const stored = indexedText(long);
    expect(stored).to.match(marker);
    expect(stored.startsWith('x'.repeat(400))).to.equal(true);
    expect(marker.exec(stored)?.[1]).to.equal('10000');
    expect(marker.exec(stored)?.[2]).to.equal(createHash('sha256').update(long).digest('hex'));
  });

  it('is never longer than the bound, never splits a character, and changes nothing when applied again', () => {
    fc.assert(
      fc.property(text, (original) => {
        const stored = indexedText(original);
        expect(bytesOf(stored)).to.be.at.most(maxIndexedTextBytes);
        expect(indexedText(stored)).to.equal(stored);
        if (bytesOf(original) <= maxIndexedTextBytes) {
          expect(stored).to.equal(original);
          return;
        }
        const kept = stored.replace(marker, '');
        expect(original.startsWith(kept)).to.equal(true);
        // No lone surrogate from a cut pair: it would not read back from UTF-8 as it was.
        expect(Buffer.from(kept, 'utf8').toString('utf8')).to.equal(kept);
      }),
    );
  });

  it('keeps apart two long texts that differ only after the cut', () => {
    fc.assert(
      fc.property(text, fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (start, a, b) => {
        fc.pre(a !== b);
        const padded = start.padEnd(maxIndexedTextBytes + 1, 'x');
        expect(indexedText(padded + a)).not.to.equal(indexedText(padded + b));
      }),
    );
  });
});
