import { createRequire } from 'node:module';
import { RicochetError } from '@ricochet/core';
import type { LibrdkafkaModule } from './librdkafka-api.js';

/**
 * A failure the librdkafka driver met, in the shape the shared code reads from either driver:
 * `type` is the broker's error name (`TOPIC_AUTHORIZATION_FAILED`, `MESSAGE_TOO_LARGE`, as
 * kafkajs names them) or librdkafka's own (`ERR__TRANSPORT`), and `retriable` says whether
 * trying again can help. The addon's own `retriable` is only meaningful for its transactional
 * producer (its MIGRATION.md), so it is derived here from the code.
 */
export class LibrdkafkaError extends RicochetError {
  readonly type: string;
  /** librdkafka's code: the broker's error code, or negative for the client's own. */
  readonly librdkafkaCode: number;

  constructor(
    message: string,
    type: string,
    librdkafkaCode: number,
    retriable: boolean,
    cause: unknown,
  ) {
    super(message, { code: 'LIBRDKAFKA_ERROR', retriable, cause });
    this.type = type;
    this.librdkafkaCode = librdkafkaCode;
  }
}

interface ProtocolErrorEntry {
  readonly type: string;
  readonly code: number;
  readonly retriable: boolean;
}

/**
 * The broker's error codes with their names and whether they are retriable: kafkajs's table, so
 * that both drivers give a refusal the same name and the same `retriable`.
 */
const protocolErrors: ReadonlyMap<number, ProtocolErrorEntry> = new Map(
  (
    createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
      errorCodes: readonly ProtocolErrorEntry[];
    }
  ).errorCodes.map((entry) => [entry.code, entry]),
);

/**
 * librdkafka's own failures that pass: a broker or the network away for a while, a queue or a
 * coordinator not ready yet. Anything else of its own (a bad argument, a wrong state, a failed
 * authentication) is not retried.
 */
const retriableLocalErrors: ReadonlySet<string> = new Set([
  'ERR__TRANSPORT',
  'ERR__RESOLVE',
  'ERR__MSG_TIMED_OUT',
  'ERR__ALL_BROKERS_DOWN',
  'ERR__TIMED_OUT',
  'ERR__TIMED_OUT_QUEUE',
  'ERR__QUEUE_FULL',
  'ERR__NODE_UPDATE',
  'ERR__WAIT_COORD',
  'ERR__IN_PROGRESS',
  'ERR__PREV_IN_PROGRESS',
  'ERR__RETRY',
  'ERR__WAIT_CACHE',
  'ERR__ISR_INSUFF',
  'ERR__UNKNOWN_PARTITION',
  'ERR__PURGE_INFLIGHT',
  'ERR__PURGE_QUEUE',
  'ERR__STATE',
  'ERR__ASSIGNMENT_LOST',
  'ERR__MAX_POLL_EXCEEDED',
  'ERR__DESTROY_BROKER',
]);

function codeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** librdkafka's name for one of its own codes (`ERR__TRANSPORT`), from the addon's table. */
function localName(librdkafka: LibrdkafkaModule, code: number): string {
  for (const [name, value] of Object.entries(librdkafka.CODES.ERRORS)) {
    if (value === code) {
      return name;
    }
  }
  return `ERR_${code}`;
}

/**
 * The addon's failure (a LibrdKafkaError or the KafkaJS-style layer's KafkaJSError, both with
 * librdkafka's numeric `code`) as a LibrdkafkaError; anything without a code unchanged.
 */
export function librdkafkaErrorFrom(librdkafka: LibrdkafkaModule, error: unknown): unknown {
  const code = codeOf(error);
  if (code === undefined || error instanceof LibrdkafkaError) {
    return error;
  }
  const message =
    error instanceof Error ? error.message : String((error as { message?: unknown }).message);
  const protocolError = protocolErrors.get(code);
  if (protocolError !== undefined) {
    return new LibrdkafkaError(message, protocolError.type, code, protocolError.retriable, error);
  }
  const type = localName(librdkafka, code);
  return new LibrdkafkaError(message, type, code, retriableLocalErrors.has(type), error);
}
