import { expect } from 'chai';
import fc from 'fast-check';
import { createValueDescriber, type ValueDescription } from '@ricochet/value-decoder';
import { hexDump } from '@ricochet/value-decoder';
import { framed, recordingLogger } from './helpers.js';

const describer = createValueDescriber({ logger: recordingLogger() });
const describeText = (text: string): Promise<ValueDescription> =>
  describer.describe(Buffer.from(text, 'utf8'));

describe('describe without a registry', () => {
  it('calls a null value null and a zero-length one empty', async () => {
    expect(await describer.describe(null)).to.deep.equal({ format: 'null', text: '(null)' });
    expect(await describer.describe(Buffer.alloc(0))).to.deep.equal({
      format: 'empty',
      text: '(empty)',
    });
  });

  it('pretty-prints JSON with two spaces', async () => {
    const value = { id: 42, lines: [{ sku: 'a', qty: 2 }], note: null, tags: [], meta: {} };
    expect(await describeText(JSON.stringify(value))).to.deep.equal({
      format: 'json',
      text: JSON.stringify(value, null, 2),
    });
  });

  it('shows JSON numbers and keys exactly as written', async () => {
    const described = await describeText('{"id":12345678901234567890,"x":1e3,"x":-0.10}');
    expect(described.format).to.equal('json');
    expect(described.text).to.equal(
      '{\n  "id": 12345678901234567890,\n  "x": 1e3,\n  "x": -0.10\n}',
    );
  });

  it('keeps escapes, brackets and commas inside strings as they are', async () => {
    const source = ' { "a\\"{,": "]:[\\\\", "b" : [ ] , "c":{ } } ';
    const described = await describeText(source);
    expect(described.text).to.equal('{\n  "a\\"{,": "]:[\\\\",\n  "b": [],\n  "c": {}\n}');
    expect(JSON.parse(described.text)).to.deep.equal(JSON.parse(source));
  });

  it('treats bare JSON scalars as JSON', async () => {
    for (const [source, text] of [
      ['42', '42'],
      [' true\n', 'true'],
      ['"quoted"', '"quoted"'],
      ['null', 'null'],
    ]) {
      expect(await describeText(source!)).to.deep.equal({ format: 'json', text });
    }
  });

  it('shows UTF-8 text that is not JSON as it is, tabs and line breaks included', async () => {
    for (const text of [
      'order 42 failed',
      'Grüße, 世界 😀',
      'a\tb\r\nc\n',
      ' ',
      '{not json',
      '\uFEFFbom',
    ]) {
      expect(await describeText(text)).to.deep.equal({ format: 'text', text });
    }
  });

  it('shows text with other control characters as bytes', async () => {
    for (const text of [
      'nul\u0000inside',
      'bell\u0007',
      'esc\u001b[31m',
      'del\u007f',
      'c1\u0085',
    ]) {
      const bytes = Buffer.from(text, 'utf8');
      expect(await describer.describe(bytes)).to.deep.equal({
        format: 'binary',
        text: hexDump(bytes),
      });
    }
  });

  it('shows invalid UTF-8 as bytes', async () => {
    for (const bytes of [[0xff, 0xfe], [0x6f, 0x6b, 0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80]]) {
      const value = Buffer.from(bytes);
      expect(await describer.describe(value)).to.deep.equal({
        format: 'binary',
        text: hexDump(value),
      });
    }
  });

  it('shows a framed value as bytes with its schema id, and no decode error', async () => {
    const value = framed(17, [0x02, 0x06, 0x61]);
    expect(await describer.describe(value)).to.deep.equal({
      format: 'binary',
      schemaId: 17,
      text: hexDump(value),
    });
  });

  it('never throws, and always gives text, whatever the bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const described = await describer.describe(Buffer.from(bytes));
        expect(described.text).to.be.a('string');
        expect(described.decodeError).to.equal(undefined);
        if (described.format === 'json') {
          expect(() => JSON.parse(described.text)).not.to.throw();
        }
      }),
    );
  });

  it('pretty-prints any JSON value exactly as JSON.stringify(value, null, 2) would', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const described = await describeText(JSON.stringify(value));
        expect(described.format).to.equal('json');
        expect(described.text).to.equal(JSON.stringify(value, null, 2));
      }),
    );
  });

  it('refuses an empty registry URL or a bad timeout, naming the option', () => {
    const logger = recordingLogger();
    expect(() => createValueDescriber({ registryUrl: ' ', logger })).to.throw(/registryUrl/);
    expect(() => createValueDescriber({ logger, timeoutMilliseconds: 0 })).to.throw(
      /timeoutMilliseconds/,
    );
  });
});
