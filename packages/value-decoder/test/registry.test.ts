import { expect } from 'chai';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { classifyDecodeError, NonRetryableError } from '@ricochet/core';
import { testRegistryUrl, uniqueName } from '@ricochet/testing';
import {
  createRegistryDecoder,
  createValueDescriber,
  type ValueDescriber,
} from '@ricochet/value-decoder';
import { hexDump } from '@ricochet/value-decoder';
import { wideLongHook } from '../src/wide-long.js';
import { framed, recordingLogger } from './helpers.js';

const orderAvro = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'dev.ricochet.test',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'total', type: 'long' },
    { name: 'signature', type: 'bytes' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID'] } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
});

const orderJsonSchema = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { id: { type: 'integer' }, items: { type: 'array', items: { type: 'string' } } },
  required: ['id'],
});

const orderProto = `syntax = "proto3";
package ricochet.test;

message Order {
  int64 id = 1;
  string customer = 2;
  bytes signature = 3;
  repeated string items = 4;
}
`;

/** An id far beyond anything a fresh registry has handed out. */
const unknownSchemaId = 2_000_000_000;

describe('value decoding against a real schema registry', function () {
  let registryUrl: string;
  let client: SchemaRegistry;
  let describer: ValueDescriber;
  let avroId: number;
  let avroValue: Buffer;

  before(async () => {
    registryUrl = testRegistryUrl();
    client = new SchemaRegistry({ host: registryUrl });
    describer = createValueDescriber({ registryUrl, logger: recordingLogger() });
    ({ id: avroId } = await client.register(
      { type: SchemaType.AVRO, schema: orderAvro },
      { subject: uniqueName('orders-avro-value') },
    ));
    avroValue = await client.encode(avroId, {
      id: 42,
      total: 1999,
      signature: Buffer.from([0xde, 0xad, 0xbe, 0xef]),
      status: 'PAID',
      note: 'leave at the door',
    });
  });

  it('renders an Avro value as pretty JSON, with its schema id', async () => {
    expect(await describer.describe(avroValue)).to.deep.equal({
      format: 'avro',
      schemaId: avroId,
      text: JSON.stringify(
        { id: 42, total: 1999, signature: '3q2+7w==', status: 'PAID', note: 'leave at the door' },
        null,
        2,
      ),
    });
  });

  it('renders a JSON Schema value as pretty JSON, with its schema id', async () => {
    const { id } = await client.register(
      { type: SchemaType.JSON, schema: orderJsonSchema },
      { subject: uniqueName('orders-json-value') },
    );
    const value = { id: 7, items: ['book', 'lamp'] };
    expect(await describer.describe(await client.encode(id, value))).to.deep.equal({
      format: 'json-schema',
      schemaId: id,
      text: JSON.stringify(value, null, 2),
    });
  });

  it('renders a Protobuf value as pretty JSON, with its schema id', async () => {
    const { id } = await client.register(
      { type: SchemaType.PROTOBUF, schema: orderProto },
      { subject: uniqueName('orders-proto-value') },
    );
    const encoded = await client.encode(id, {
      id: { low: 1, high: 2 ** 21, unsigned: false }, // 2^53 + 1, which a double cannot hold
      customer: 'ada',
      signature: Buffer.from([1, 2]),
      items: ['book'],
    });
    const described = await describer.describe(encoded);
    expect(described.format).to.equal('protobuf');
    expect(described.schemaId).to.equal(id);
    expect(JSON.parse(described.text)).to.deep.equal({
      id: '9007199254740993',
      customer: 'ada',
      signature: 'AQI=',
      items: ['book'],
    });
  });

  it('renders Avro longs beyond 2^53 exactly instead of failing', async () => {
    // The stock client cannot even encode such a long; one with the wide long type can.
    const wideClient = new SchemaRegistry(
      { host: registryUrl },
      { [SchemaType.AVRO]: { typeHook: wideLongHook } },
    );
    const value = await wideClient.encode(avroId, {
      id: 1,
      total: 2n ** 62n,
      signature: Buffer.alloc(0),
      status: 'NEW',
      note: null,
    });
    const described = await describer.describe(value);
    expect(described.format).to.equal('avro');
    expect(JSON.parse(described.text)).to.include({ total: '4611686018427387904', note: null });
  });

  it('shows a value with an unknown schema id as bytes, with the reason', async () => {
    const value = framed(unknownSchemaId, [0x02]);
    const described = await describer.describe(value);
    expect(described).to.deep.include({
      format: 'binary',
      schemaId: unknownSchemaId,
      text: hexDump(value),
    });
    expect(described.decodeError).to.be.a('string').and.include(String(unknownSchemaId));
  });

  it('shows a payload that does not match its schema as bytes, with the reason', async () => {
    const truncated = avroValue.subarray(0, avroValue.length - 4);
    const described = await describer.describe(truncated);
    expect(described).to.deep.include({ format: 'binary', schemaId: avroId });
    expect(described.text).to.equal(hexDump(truncated));
    expect(described.decodeError).to.be.a('string').with.length.above(0);
  });

  it('shows framed values as bytes, quickly, when the registry is unreachable', async () => {
    const logger = recordingLogger();
    const unreachable = createValueDescriber({ registryUrl: 'http://127.0.0.1:1', logger });
    const began = Date.now();
    const described = await unreachable.describe(avroValue);
    expect(Date.now() - began).to.be.below(3_000);
    expect(described).to.deep.include({ format: 'binary', schemaId: avroId });
    expect(described.decodeError).to.match(/ECONNREFUSED/);
    expect(logger.lines.map((line) => line.fields.schemaId)).to.deep.equal([avroId]);
    // Unframed values need no registry and are still described normally.
    expect(await unreachable.describe(Buffer.from('{"ok":true}'))).to.deep.equal({
      format: 'json',
      text: '{\n  "ok": true\n}',
    });
  });

  describe('createRegistryDecoder', () => {
    it('decodes a framed Avro value for the handler', async () => {
      const decode = createRegistryDecoder({ registryUrl });
      expect(await decode(avroValue)).to.deep.include({
        id: 42,
        total: 1999,
        status: 'PAID',
        note: 'leave at the door',
      });
    });

    it('passes a tombstone on as null', async () => {
      expect(await createRegistryDecoder({ registryUrl })(null)).to.equal(null);
    });

    it('throws NonRetryableError naming the schema id and the cause for an unknown id', async () => {
      const decode = createRegistryDecoder({ registryUrl });
      const error = await decode(framed(unknownSchemaId, [0x02])).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).to.be.instanceOf(NonRetryableError);
      expect(classifyDecodeError(error), 'the registry answered: the id does not exist').to.equal(
        'non-retryable',
      );
      expect((error as Error).message)
        .to.include(`schema id ${unknownSchemaId}`)
        .and.match(/not found|no .*found/i);
      expect((error as Error).cause).to.be.instanceOf(Error);
    });

    it('throws NonRetryableError for a value that is not framed at all', async () => {
      const decode = createRegistryDecoder({ registryUrl });
      const error = await decode(Buffer.from('{"id":1}')).catch((thrown: unknown) => thrown);
      expect(error).to.be.instanceOf(NonRetryableError);
      expect((error as Error).message).to.match(/Confluent wire format/);
    });
  });
});
