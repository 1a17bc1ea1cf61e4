import { expect } from 'chai';
import { hexDump } from '@ricochet/value-decoder';

describe('hexDump', () => {
  it('renders offset, 16 bytes of hex split after the eighth, and ASCII, like hexdump -C', () => {
    const bytes = Buffer.from('Hello, Ricochet!\x00\x01\xff tail', 'latin1');
    expect(hexDump(bytes).split('\n')).to.deep.equal([
      '00000000  48 65 6c 6c 6f 2c 20 52  69 63 6f 63 68 65 74 21  |Hello, Ricochet!|',
      '00000010  00 01 ff 20 74 61 69 6c                           |... tail|',
    ]);
  });

  it('pads a short last line so that the ASCII column stays aligned', () => {
    for (const length of [1, 7, 8, 9, 15, 17, 31]) {
      const lines = hexDump(Buffer.alloc(length, 0x41)).split('\n');
      for (const line of lines) {
        expect(line.indexOf('|'), `length ${length}`).to.equal(60);
      }
      expect(lines).to.have.length(Math.ceil(length / 16));
    }
  });

  it('ends exactly at a multiple of 16 bytes without an empty line', () => {
    const lines = hexDump(Buffer.alloc(32, 0x2e)).split('\n');
    expect(lines).to.have.length(2);
    expect(lines[1]).to.match(/^00000010 {2}/);
  });

  it('shows unprintable bytes, DEL and anything above 0x7e as dots', () => {
    const line = hexDump(Buffer.from([0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xc3, 0xa9]));
    expect(line.endsWith('|. ~....|')).to.equal(true);
  });

  it('renders no bytes as no lines', () => {
    expect(hexDump(Buffer.alloc(0))).to.equal('');
  });

  it('shows only maxBytes and says how many were left out', () => {
    const lines = hexDump(Buffer.alloc(100), 20).split('\n');
    expect(lines).to.have.length(3);
    expect(lines[1]).to.match(/^00000010 {2}00 00 00 00 {39}\|\.{4}\|$/);
    expect(lines[2]).to.equal('… 80 more bytes (100 in all)');
    expect(hexDump(Buffer.alloc(3), 0)).to.equal('… 3 more bytes (3 in all)');
  });

  it('caps at 1,024 bytes by default', () => {
    const lines = hexDump(Buffer.alloc(5000)).split('\n');
    expect(lines).to.have.length(65);
    expect(lines.at(-1)).to.equal('… 3976 more bytes (5000 in all)');
  });

  it('refuses a negative or fractional maxBytes', () => {
    expect(() => hexDump(Buffer.alloc(1), -1)).to.throw(RangeError, /maxBytes/);
    expect(() => hexDump(Buffer.alloc(1), 1.5)).to.throw(RangeError, /maxBytes/);
  });
});
