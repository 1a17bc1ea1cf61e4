import { expect } from 'chai';
import {
  KafkaFrameSplitter,
  readRequestHeader,
  readResponseCorrelationId,
} from '@ricochet/testing';

/** A request frame: int32 size, int16 apiKey, int16 apiVersion, int32 correlationId, body. */
function request(apiKey: number, correlationId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header.writeInt32BE(8 + body.length, 0);
  header.writeInt16BE(apiKey, 4);
  header.writeInt16BE(7, 6);
  header.writeInt32BE(correlationId, 8);
  return Buffer.concat([header, body]);
}

describe('KafkaFrameSplitter', () => {
  it('yields whole frames however the stream is cut, and reads their headers', () => {
    const frames = [request(0, 41, Buffer.from('abc')), request(8, 42, Buffer.alloc(0))];
    const stream = Buffer.concat(frames);
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const splitter = new KafkaFrameSplitter();
      const out = [
        ...splitter.push(stream.subarray(0, cut)),
        ...splitter.push(stream.subarray(cut)),
      ];
      expect(out.map((frame) => frame.toString('hex'))).to.deep.equal(
        frames.map((frame) => frame.toString('hex')),
      );
    }
    expect(readRequestHeader(frames[0]!)).to.deep.equal({
      apiKey: 0,
      apiVersion: 7,
      correlationId: 41,
    });
    expect(readResponseCorrelationId(Buffer.from([0, 0, 0, 4, 0, 0, 0, 42]))).to.equal(42);
  });

  it('keeps a partial frame until the rest arrives', () => {
    const splitter = new KafkaFrameSplitter();
    expect(splitter.push(Buffer.from([0, 0, 0]))).to.deep.equal([]);
    expect(splitter.push(Buffer.from([2, 9]))).to.deep.equal([]);
    expect(splitter.push(Buffer.from([9]))).to.have.length(1);
  });
});
