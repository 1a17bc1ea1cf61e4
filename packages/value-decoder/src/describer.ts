import { nonEmptyTextOption, positiveIntegerOption, type Logger } from '@ricochet/core';
import { frameSchemaId, isConfluentFramed } from './framing.js';
import { hexDump } from './hex-dump.js';
import { describePlain } from './plain.js';
import { createRegistryClient, SchemaDecodeError, type RegistryFormat } from './registry-client.js';
import { renderDecoded } from './render.js';

export type ValueFormat =
  'null' | 'empty' | 'json' | 'text' | 'avro' | 'json-schema' | 'protobuf' | 'binary';

export interface ValueDescription {
  readonly format: ValueFormat;
  /** The schema id of a Confluent-framed value, also when no registry was there to decode it. */
  readonly schemaId?: number;
  /**
   * For people: JSON pretty-printed with two spaces (numbers exactly as written), text as is,
   * registry payloads decoded and pretty-printed as JSON, and a hex dump (offset, hex, ASCII;
   * 16 bytes a line) for anything else.
   */
  readonly text: string;
  /** Why a framed value could not be decoded; `format` is then 'binary'. */
  readonly decodeError?: string;
}

export interface ValueDescriber {
  /** Never rejects: whatever goes wrong ends up in `decodeError`. */
  describe(value: Buffer | null): Promise<ValueDescription>;
}

export interface ValueDescriberOptions {
  /** A Confluent-compatible registry API; without it framed values are shown as bytes. */
  registryUrl?: string;
  logger: Logger;
  /** Bound on one registry decode. Default 5000: someone is waiting for the output. */
  timeoutMilliseconds?: number;
}

/** Renders record values for people, asking the registry about framed ones when it has one. */
export function createValueDescriber(options: ValueDescriberOptions): ValueDescriber {
  const registryUrl =
    options.registryUrl === undefined
      ? undefined
      : nonEmptyTextOption('registryUrl', options.registryUrl);
  const timeoutMilliseconds = positiveIntegerOption(
    'timeoutMilliseconds',
    options.timeoutMilliseconds,
    5_000,
  );
  const logger = options.logger.child({ component: 'value-describer' });
  const decodeFramed =
    registryUrl === undefined
      ? undefined
      : createRegistryClient({ registryUrl, timeoutMilliseconds, retries: 1 });

  async function describeFramed(
    value: Buffer,
    schemaId: number,
    decode: NonNullable<typeof decodeFramed>,
  ): Promise<ValueDescription> {
    let format: RegistryFormat;
    let text: string;
    try {
      const decoded = await decode(value);
      format = decoded.format;
      text = renderDecoded(decoded.value);
    } catch (error) {
      const decodeError =
        error instanceof SchemaDecodeError
          ? error.reason
          : `could not render the decoded value: ${error instanceof Error ? error.message : String(error)}`;
      logger.debug('a framed value could not be decoded; showing its bytes', {
        schemaId,
        error: decodeError,
      });
      return { format: 'binary', schemaId, text: hexDump(value), decodeError };
    }
    return { format, schemaId, text };
  }

  return {
    async describe(value) {
      if (value === null) {
        return { format: 'null', text: '(null)' };
      }
      if (isConfluentFramed(value)) {
        const schemaId = frameSchemaId(value);
        return decodeFramed === undefined
          ? { format: 'binary', schemaId, text: hexDump(value) }
          : describeFramed(value, schemaId, decodeFramed);
      }
      return describePlain(value);
    },
  };
}
