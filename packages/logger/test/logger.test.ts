import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { createLogger, type LogFormat } from '@ricochet/logger';

/** What a tier record can put in a log line: a topic name, an error message. */
const hostile = 'orders\u001b]52;c;cHduZWQ=\u0007\u009b2J\u202eevil\r\nforged line';

async function logged(format: LogFormat): Promise<string> {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const logger = createLogger({ service: 'delay', level: 'info', format, stream });
  logger.warn(`dead-lettering ${hostile}`, { detail: hostile });
  await new Promise((resolve) => setImmediate(resolve));
  return text;
}

describe('createLogger', () => {
  it('writes JSON lines with every control a terminal acts on escaped, reading back the same', async () => {
    const line = await logged('json');
    expect(line.trimEnd()).not.to.match(/[\p{Cc}\u202e]/u);
    const parsed = JSON.parse(line) as { message: string; detail: string };
    expect(parsed.message).to.equal(`dead-lettering ${hostile}`);
    expect(parsed.detail).to.equal(hostile);
  });

  it('writes pretty lines with the record data escaped on one line, the level still coloured', async () => {
    const line = await logged('pretty');
    expect(line.trimEnd().split('\n')).to.have.length(1);
    expect(line).to.contain(
      'dead-lettering orders\\x1b]52;c;cHduZWQ=\\x07\\x9b2J\\u202eevil\\x0d\\x0aforged line',
    );
    expect(line).not.to.contain('\u001b]52').and.not.to.contain('\u202e');
    expect(line).to.contain('\u001b[33mwarn\u001b[39m');
  });
});
