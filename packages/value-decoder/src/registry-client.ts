import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { RicochetError } from '@ricochet/core';
import { frameSchemaId } from './framing.js';
import { withTimeout } from './timeout.js';
import { wideLongHook } from './wide-long.js';

export type RegistryFormat = 'avro' | 'json-schema' | 'protobuf';

export interface DecodedValue {
  readonly format: RegistryFormat;
  readonly schemaId: number;
  /** As the registry client decodes it: an avsc record, a JSON value or a protobufjs message. */
  readonly value: unknown;
}

/**
 * A framed value the registry could not decode: unknown id, bad bytes, or an unreachable registry.
 * `retriable` is true only for the last: the registry's trouble, not the value's.
 */
export class SchemaDecodeError extends RicochetError {
  readonly schemaId: number;
  /** What went wrong, without the schema id (which `message` also names). */
  readonly reason: string;

  constructor(
    schemaId: number,
    reason: string,
    options: { cause?: unknown; registryUnavailable?: boolean } = {},
  ) {
    super(`schema id ${schemaId}: ${reason}`, {
      code: 'SCHEMA_DECODE_FAILED',
      retriable: options.registryUnavailable ?? false,
      cause: options.cause,
    });
    this.schemaId = schemaId;
    this.reason = reason;
  }
}

/** The registry's own timeout, set apart from the client's errors. */
class RegistryTimeoutError extends Error {}

/**
 * Whether a decode failed because the registry could not be asked, rather than because of the
 * value. The client reports every HTTP failure as a ResponseError with a status: 404 is the
 * registry's answer that the schema id does not exist; any other status (5xx, 401/403, 429, and
 * the 400 it reports when the connection fails) is the registry's trouble. Errors of any other
 * kind come from decoding the bytes against a schema the registry did return.
 */
function isRegistryUnavailable(error: unknown): boolean {
  if (error instanceof RegistryTimeoutError) {
    return true;
  }
  const status = (error as { status?: unknown } | null)?.status;
  return (
    error instanceof Error &&
    error.name === 'ResponseError' &&
    typeof status === 'number' &&
    status !== 404
  );
}

export interface RegistryClientOptions {
  /** Base URL of a Confluent-compatible API, e.g. http://127.0.0.1:28081/apis/ccompat/v7. */
  readonly registryUrl: string;
  /** Bound on one decode, schema fetch included, so a silent registry cannot hang the caller. */
  readonly timeoutMilliseconds: number;
  /** Retries of a schema fetch the registry answered with a 5xx status. */
  readonly retries: number;
}

const clientId = 'ricochet-value-decoder';

const formatBySchemaType: Readonly<Record<string, RegistryFormat>> = {
  [SchemaType.AVRO]: 'avro',
  [SchemaType.JSON]: 'json-schema',
  [SchemaType.PROTOBUF]: 'protobuf',
};

/** The client prefixes every HTTP failure with its client id, which tells a reader nothing. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith(`${clientId} - `) ? message.slice(clientId.length + 3) : message;
}

/**
 * Decodes Confluent-framed values through a schema registry. Schemas are fetched by id once and
 * cached by the client; the schema's type (Avro, JSON Schema, Protobuf) comes from the registry.
 */
export function createRegistryClient(
  options: RegistryClientOptions,
): (framed: Buffer) => Promise<DecodedValue> {
  const registry = new SchemaRegistry(
    {
      host: options.registryUrl,
      clientId,
      // Every field on purpose: the client merges these into a module-level default object,
      // so a field left out would silently inherit whatever another client set.
      retry: {
        retries: options.retries,
        initialRetryTimeInSecs: 0.1,
        maxRetryTimeInSecs: 2,
        factor: 0.2,
        multiplier: 2,
      },
    },
    { [SchemaType.AVRO]: { typeHook: wideLongHook } },
  );
  return async (framed) => {
    const schemaId = frameSchemaId(framed);
    let value: unknown;
    try {
      value = await withTimeout(
        registry.decode(framed),
        options.timeoutMilliseconds,
        () =>
          new RegistryTimeoutError(
            `the schema registry at ${options.registryUrl} did not answer within ${options.timeoutMilliseconds} ms`,
          ),
      );
    } catch (error) {
      throw new SchemaDecodeError(schemaId, reasonOf(error), {
        cause: error,
        registryUnavailable: isRegistryUnavailable(error),
      });
    }
    const schemaType = registry.cache.getSchema(schemaId)?.type;
    const format = schemaType === undefined ? undefined : formatBySchemaType[schemaType];
    if (format === undefined) {
      throw new SchemaDecodeError(schemaId, `unsupported schema type ${String(schemaType)}`);
    }
    return { format, schemaId, value };
  };
}
