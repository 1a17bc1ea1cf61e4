import type kafkajs from 'kafkajs';
import type { ConsumedRecord, HeaderValue, RecordHeaders } from '@ricochet/core';

/** Converts a kafkajs message into Ricochet's client-neutral record. */
export function toConsumedRecord(
  topic: string,
  partition: number,
  message: kafkajs.KafkaMessage,
): ConsumedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key,
    value: message.value,
    headers: recordHeaders(message.headers ?? {}),
  };
}

function isHeaderValue(value: unknown): value is HeaderValue {
  return Buffer.isBuffer(value) || typeof value === 'string';
}

/** A loop rather than `Object.values(...).every(...)`: no array for each record. */
function everyValueSentOnce(headers: kafkajs.IHeaders): boolean {
  for (const name in headers) {
    if (!isHeaderValue(headers[name])) {
      return false;
    }
  }
  return true;
}

/**
 * The headers as they were sent. kafkajs gathers repeated headers into an array by testing
 * `headers[name] === undefined` on a plain object, so a header named after an Object.prototype
 * member (`__proto__`, `constructor`, `toString`, ...) arrives as an array that starts with the
 * inherited value, which could not be produced again. Only the values actually sent are kept.
 */
export function recordHeaders(headers: kafkajs.IHeaders): RecordHeaders {
  // The common case, on every record: each header sent once, to an untouched plain object. A
  // copy will do (spreading defines own properties, as fromEntries does below).
  if (Object.getPrototypeOf(headers) === Object.prototype && everyValueSentOnce(headers)) {
    return { ...(headers as Record<string, HeaderValue>) };
  }
  // fromEntries defines own properties: a header named __proto__ stays a header.
  return Object.fromEntries(
    Object.entries(headers).flatMap(
      ([name, value]): Array<[string, HeaderValue | HeaderValue[]]> => {
        if (!Array.isArray(value)) {
          return isHeaderValue(value) ? [[name, value]] : [];
        }
        const sent = (value as unknown[]).filter(isHeaderValue);
        if (sent.length === 0) {
          return [];
        }
        return [[name, sent.length === 1 ? sent[0]! : sent]];
      },
    ),
  );
}
