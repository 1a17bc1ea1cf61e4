import type kafkajs from 'kafkajs';
import type { ConsumedRecord } from '@ricochet/core';

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
    headers: message.headers ?? {},
  };
}
