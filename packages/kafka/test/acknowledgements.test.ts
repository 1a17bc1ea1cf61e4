import { expect } from 'chai';
import { unacknowledgedPartitions, UnacknowledgedPartitionsError } from '@ricochet/kafka';

describe('unacknowledgedPartitions (kafkajs#1303)', () => {
  it('finds nothing missing when every partition written to was answered for', () => {
    expect(
      unacknowledgedPartitions(
        [
          { topic: 'orders', partition: 0 },
          { topic: 'orders', partition: 1 },
          { topic: 'orders', partition: 1 },
          { topic: 'retry-5s', partition: 0 },
        ],
        [
          { topic: 'retry-5s', partition: 0 },
          { topic: 'orders', partition: 1 },
          { topic: 'orders', partition: 0 },
        ],
      ),
    ).to.deep.equal([]);
  });

  it('names each partition written to that the answer does not cover, once', () => {
    expect(
      unacknowledgedPartitions(
        [
          { topic: 'orders', partition: 0 },
          { topic: 'orders', partition: 1 },
          { topic: 'orders', partition: 1 },
          { topic: 'retry-5s', partition: 1 },
        ],
        [
          { topic: 'orders', partition: 0 },
          { topic: 'retry-5s', partition: 0 },
        ],
      ),
    ).to.deep.equal([
      { topic: 'orders', partition: 1 },
      { topic: 'retry-5s', partition: 1 },
    ]);
  });

  it('tells a partition of one topic from the same partition of another', () => {
    expect(
      unacknowledgedPartitions(
        [{ topic: 'orders', partition: 2 }],
        [{ topic: 'payments', partition: 2 }],
      ),
    ).to.deep.equal([{ topic: 'orders', partition: 2 }]);
  });

  it('counts a record the client never placed as unacknowledged', () => {
    expect(
      unacknowledgedPartitions(
        [{ topic: 'orders', partition: undefined }],
        [{ topic: 'orders', partition: 0 }],
      ),
    ).to.deep.equal([{ topic: 'orders', partition: undefined }]);
  });

  it('makes the missing partitions a retriable failure that names them', () => {
    const error = new UnacknowledgedPartitionsError([
      { topic: 'orders', partition: 1 },
      { topic: 'retry-5s', partition: undefined },
    ]);
    expect(error.retriable).to.equal(true);
    expect(error.code).to.equal('PARTITIONS_NOT_ACKNOWLEDGED');
    expect(error.message).to.contain('orders-1').and.to.contain('retry-5s-(unplaced)');
  });
});
