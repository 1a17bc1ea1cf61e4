/** A Kafka protocol request's header fields (after its int32 size): what a fault proxy needs. */
export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
}

/** The API keys of the requests a fault proxy may lose the response to. */
export const produceApiKey = 0;
export const offsetCommitApiKey = 8;

/**
 * Splits a TCP byte stream into whole Kafka frames (an int32 size, then that many bytes), in
 * order, whatever the chunks it arrives in.
 */
export class KafkaFrameSplitter {
  #pending: Buffer = Buffer.alloc(0);

  /** The frames completed by `chunk`, each with its size prefix. */
  push(chunk: Buffer): Buffer[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Buffer[] = [];
    while (this.#pending.length >= 4) {
      const end = 4 + this.#pending.readInt32BE(0);
      if (this.#pending.length < end) {
        break;
      }
      frames.push(this.#pending.subarray(0, end));
      this.#pending = this.#pending.subarray(end);
    }
    return frames;
  }
}

export function readRequestHeader(frame: Buffer): RequestHeader {
  return {
    apiKey: frame.readInt16BE(4),
    apiVersion: frame.readInt16BE(6),
    correlationId: frame.readInt32BE(8),
  };
}

/** Every response starts with the correlation id of the request it answers. */
export function readResponseCorrelationId(frame: Buffer): number {
  return frame.readInt32BE(4);
}
