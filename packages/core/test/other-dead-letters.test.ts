import { expect } from 'chai';
import { replayHeaders, writeDeadLetterHeaders } from '@ricochet/core';

describe('replayHeaders', () => {
  it("drops Ricochet's, Spring Kafka's and Kafka Connect's records of past failures and keeps the user's", () => {
    const traceId = Buffer.from('abc');
    const headers = {
      'trace-id': traceId,
      tags: [Buffer.from('a'), Buffer.from('b')],
      ...writeDeadLetterHeaders('retries-exhausted', 'gave up'),
      'kafka_dlt-original-topic': Buffer.from('orders'),
      'kafka_dlt-original-offset': [Buffer.alloc(8), Buffer.alloc(8)],
      'kafka_dlt-exception-fqcn': Buffer.from('java.lang.IllegalStateException'),
      'retry_topic-attempts': Buffer.alloc(4),
      'retry_topic-backoff-timestamp': Buffer.from([1]),
      '__connect.errors.topic': Buffer.from('payments'),
      '__connect.errors.exception.message': Buffer.from('bad'),
      // Spring's own non-DLT headers and look-alikes are the user's.
      kafka_correlationId: Buffer.from('c'),
      'connect.errors.topic': Buffer.from('not Connect'),
    };
    expect(replayHeaders(headers)).to.deep.equal({
      'trace-id': traceId,
      tags: headers.tags,
      kafka_correlationId: headers.kafka_correlationId,
      'connect.errors.topic': headers['connect.errors.topic'],
    });
  });
});
