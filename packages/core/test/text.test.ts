import { expect } from 'chai';
import { decodeUtf8, escapeTerminalJson, escapeTerminalText, truncateText } from '@ricochet/core';
import { isWellFormed } from './helpers.js';

describe('decodeUtf8', () => {
  it('decodes ASCII, multi-byte characters and emoji', () => {
    for (const text of ['orders', 'café', 'Grüße, 世界', 'retry 😀 👩‍💻']) {
      expect(decodeUtf8(Buffer.from(text, 'utf8'))).to.equal(text);
    }
  });

  it('decodes no bytes as the empty string', () => {
    expect(decodeUtf8(Buffer.alloc(0))).to.equal('');
  });

  it('accepts a plain Uint8Array', () => {
    expect(decodeUtf8(new Uint8Array([0x68, 0x69]))).to.equal('hi');
  });

  it('keeps a leading byte order mark, so the text round-trips exactly', () => {
    const text = '\uFEFFtimeout';
    expect(decodeUtf8(Buffer.from(text, 'utf8'))).to.equal(text);
    expect(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf]))).to.equal('\uFEFF');
  });

  const invalid: Array<[string, number[]]> = [
    ['0xff 0xfe (a UTF-16 byte order mark)', [0xff, 0xfe]],
    ['a lone continuation byte', [0x80]],
    ['a truncated three-byte sequence', [0xe2, 0x82]],
    ['an overlong encoding of NUL', [0xc0, 0x80]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['invalid bytes after valid text', [0x6f, 0x6b, 0xff]],
  ];
  for (const [description, bytes] of invalid) {
    it(`returns undefined for ${description}`, () => {
      expect(decodeUtf8(Buffer.from(bytes))).to.equal(undefined);
    });
  }
});

describe('truncateText', () => {
  it('leaves text within the bound unchanged', () => {
    expect(truncateText('timeout', 10)).to.equal('timeout');
    expect(truncateText('timeout', 7)).to.equal('timeout');
    expect(truncateText('', 0)).to.equal('');
  });

  it('cuts longer text to exactly the bound, marking the cut with an ellipsis', () => {
    const cut = truncateText('abcdefghij', 5);
    expect(cut).to.equal('abcd…');
    expect(cut).to.have.length(5);
  });

  it('does not split a surrogate pair at the cut', () => {
    // 'ab😀cd': a cut at 3 units would keep only the high surrogate of 😀.
    const cut = truncateText('ab😀cd', 4);
    expect(cut).to.equal('ab…');
    expect(isWellFormed(cut)).to.equal(true);
    expect(Buffer.from(cut, 'utf8').toString('utf8')).to.equal(cut);
  });

  it('keeps a surrogate pair that ends just before the cut', () => {
    expect(truncateText('a😀cd', 4)).to.equal('a😀…');
  });

  it('never leaves a lone surrogate in a run of emoji, whatever the bound', () => {
    const text = '😀'.repeat(20);
    for (let maxLength = 0; maxLength < text.length; maxLength += 1) {
      const cut = truncateText(text, maxLength);
      expect(cut.length, `maxLength ${maxLength}`).to.be.at.most(maxLength);
      expect(isWellFormed(cut), `maxLength ${maxLength}`).to.equal(true);
    }
  });

  it('cuts to the ellipsis alone at a bound of 1', () => {
    expect(truncateText('abc', 1)).to.equal('…');
  });

  it('cuts to nothing at a bound of 0, since not even the ellipsis fits', () => {
    expect(truncateText('abc', 0)).to.equal('');
  });
});

describe('escapeTerminalText', () => {
  it('spells out C0, DEL, C1 and bidirectional controls, keeping everything else', () => {
    expect(escapeTerminalText('a\u001b]0;title\u0007b')).to.equal('a\\x1b]0;title\\x07b');
    expect(escapeTerminalText('\u007f\u0085\u009b')).to.equal('\\x7f\\x85\\x9b');
    expect(escapeTerminalText('\u202a\u202e\u2066\u2069\u200e\u200f\u061c\u2028')).to.equal(
      '\\u202a\\u202e\\u2066\\u2069\\u200e\\u200f\\u061c\\u2028',
    );
    expect(escapeTerminalText('Grüße, 世界 😀 C:\\path')).to.equal('Grüße, 世界 😀 C:\\path');
  });

  it('escapes line breaks on one line, and keeps line feeds and tabs (never CR) when asked', () => {
    expect(escapeTerminalText('a\nb\tc\rd')).to.equal('a\\x0ab\\x09c\\x0dd');
    expect(escapeTerminalText('a\nb\tc\rd', { keepLineBreaks: true })).to.equal('a\nb\tc\\x0dd');
  });
});

describe('escapeTerminalJson', () => {
  it('escapes what JSON.stringify leaves raw, and the JSON still reads back the same', () => {
    const text = 'x\u0085\u009b\u202e\u2066\u007f\u2028y\u001b';
    const json = escapeTerminalJson(JSON.stringify({ text }));
    expect(json).to.equal('{"text":"x\\u0085\\u009b\\u202e\\u2066\\u007f\\u2028y\\u001b"}');
    expect((JSON.parse(json) as { text: string }).text).to.equal(text);
  });
});
