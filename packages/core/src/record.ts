/** A header value as Kafka clients hand it over; a header sent twice arrives as an array. */
export type HeaderValue = Buffer | string;
export type RecordHeaders = Record<string, HeaderValue | HeaderValue[] | undefined>;

/** Where a record sits in Kafka. Offsets are int64, so they stay decimal strings. */
export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** A record as consumed: key, value and headers exactly as they were produced. */
export interface ConsumedRecord extends RecordPosition {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Producer (or broker append) time, epoch milliseconds as a decimal string. */
  readonly timestamp: string;
  readonly headers: RecordHeaders;
}

/** A record to produce: what Ricochet republishes to a tier, the original topic or the DLQ. */
export interface OutgoingRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, HeaderValue | HeaderValue[]>;
}

/** The offset to commit once the record at `offset` is handled: the next one to read. */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
