import {
  NonRetryableError,
  nonEmptyTextOption,
  positiveIntegerOption,
  RicochetError,
} from '@ricochet/core';
import { frameSchemaId, isConfluentFramed } from './framing.js';
import { createRegistryClient, SchemaDecodeError } from './registry-client.js';

export interface RegistryDecoderOptions {
  /** Base URL of a Confluent-compatible API, e.g. http://127.0.0.1:28081/apis/ccompat/v7. */
  registryUrl: string;
  /** Bound on one decode. Default 30000: the partition waits meanwhile. */
  timeoutMilliseconds?: number;
}

/**
 * The registry could not be asked (unreachable, timed out, answering with errors): not the
 * record's fault, so it is retriable and the main consumer retries the record through the tiers.
 */
export class SchemaRegistryUnavailableError extends RicochetError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'SCHEMA_REGISTRY_UNAVAILABLE', retriable: true, cause: options.cause });
  }
}

/**
 * For the main consumer's `decode` option: decodes Confluent-framed values through the registry
 * (Avro, JSON Schema or Protobuf, as the registry says). Avro longs arrive as numbers, or as
 * bigints when beyond ±2^53. A null value (a tombstone) is passed on as null. A value that cannot
 * be decoded (not framed, an unknown schema id, bytes that do not fit the schema) throws
 * NonRetryableError naming the schema id and the cause: the record is dead-lettered with reason
 * `decode-failed`. A registry that cannot be asked throws SchemaRegistryUnavailableError, which
 * is retriable: the record climbs the tiers and is decoded again later.
 */
export function createRegistryDecoder(
  options: RegistryDecoderOptions,
): (value: Buffer | null) => Promise<unknown> {
  const decodeFramed = createRegistryClient({
    registryUrl: nonEmptyTextOption('registryUrl', options.registryUrl),
    timeoutMilliseconds: positiveIntegerOption(
      'timeoutMilliseconds',
      options.timeoutMilliseconds,
      30_000,
    ),
    retries: 3,
  });
  return async (value) => {
    if (value === null) {
      return null;
    }
    if (!isConfluentFramed(value)) {
      throw new NonRetryableError(
        'the value is not in the Confluent wire format (magic byte 0, then a 4-byte schema id)',
      );
    }
    try {
      return (await decodeFramed(value)).value;
    } catch (error) {
      const reason = error instanceof SchemaDecodeError ? error.reason : String(error);
      const message = `could not decode the value with schema id ${frameSchemaId(value)}: ${reason}`;
      if (error instanceof SchemaDecodeError && error.retriable) {
        throw new SchemaRegistryUnavailableError(message, { cause: error });
      }
      throw new NonRetryableError(message, { cause: error });
    }
  };
}
