/**
 * @ricochet/value-decoder: turns record values into something a person can read (JSON, text,
 * Schema Registry Avro / JSON Schema / Protobuf, or a hex dump), and decodes registry-framed
 * values for handlers.
 *
 * @example
 * ```ts
 * import { createRegistryDecoder, createValueDescriber } from '@ricochet/value-decoder';
 *
 * const registryUrl = 'http://127.0.0.1:28081/apis/ccompat/v7';
 * const describer = createValueDescriber({ registryUrl, logger });
 * const { format, schemaId, text, decodeError } = await describer.describe(record.value);
 * // format 'avro', schemaId 7, text '{\n  "id": 42\n}'; or 'binary' with a hex dump and the
 * // reason in decodeError when the registry could not decode it
 *
 * const consumer = createMainConsumer({
 *   ...options,
 *   decode: createRegistryDecoder({ registryUrl }), // undecodable: DLQ as decode-failed; registry down: retried
 *   handler: async (record) => charge(record.value),
 * });
 * ```
 */
export {
  createValueDescriber,
  type ValueDescriber,
  type ValueDescriberOptions,
  type ValueDescription,
  type ValueFormat,
} from './describer.js';
export {
  createRegistryDecoder,
  SchemaRegistryUnavailableError,
  type RegistryDecoderOptions,
} from './decoder.js';
export { hexDump } from './hex-dump.js';
export { isReadableText } from './plain.js';
export { SchemaDecodeError } from './registry-client.js';
