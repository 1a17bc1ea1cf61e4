import type { ConsumedRecord, HeaderValue } from '@ricochet/core';
import type { NativeMessage } from './librdkafka-api.js';

/**
 * One header entry of the addon's. It sets each header on a fresh object by assignment, so a
 * header named `__proto__` does not become a property: its value becomes the object's
 * prototype, where it is found again.
 */
function headerEntries(header: Readonly<Record<string, Buffer | string>>): [string, HeaderValue][] {
  const entries: [string, HeaderValue][] = Object.entries(header);
  const prototype: unknown = Object.getPrototypeOf(header);
  if (Buffer.isBuffer(prototype)) {
    entries.push(['__proto__', prototype]);
  }
  return entries;
}

/** librdkafka's message as Ricochet's record; repeated headers become a list, as kafkajs gives them. */
export function toConsumedRecord(message: NativeMessage): ConsumedRecord {
  const headers = new Map<string, HeaderValue | HeaderValue[]>();
  for (const header of message.headers ?? []) {
    for (const [name, value] of headerEntries(header)) {
      const known = headers.get(name);
      headers.set(
        name,
        known === undefined ? value : Array.isArray(known) ? [...known, value] : [known, value],
      );
    }
  }
  const key = message.key;
  return {
    topic: message.topic,
    partition: message.partition,
    offset: String(message.offset),
    timestamp: String(message.timestamp),
    key: key === undefined || key === null ? null : Buffer.isBuffer(key) ? key : Buffer.from(key),
    value: message.value,
    headers: Object.fromEntries(headers),
  };
}
