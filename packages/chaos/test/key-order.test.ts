import { expect } from 'chai';
import { checkKeyOrder, type Invocation } from '@ricochet/chaos';

/**
 * A ledger written in the order given: each call's sequence is its place in the list. `calls` are
 * `key partition@offset try` strings, e.g. `a 0@3 0`; a null key is written `-`.
 */
function ledger(...calls: string[]): Invocation[] {
  return calls.map((text, index) => {
    const [key, position, tryCount] = text.split(' ');
    const [partition, offset] = (position ?? '').split('@');
    return {
      sequence: index + 1,
      recordId: `r${partition}-${offset}`,
      key: key === '-' ? null : (key ?? null),
      tryCount: Number(tryCount),
      invokedAt: 1_000 + index,
      dueAt: null,
      pid: 1,
      outcome: 'succeeded',
      partition: Number(partition),
      offset: offset ?? '',
    };
  });
}

describe('chaos key-order check', () => {
  it('passes keys handled in offset order, interleaved with other keys and partitions', () => {
    const evidence = checkKeyOrder(
      ledger('a 0@0 0', 'b 0@1 0', 'c 1@0 0', 'a 0@2 0', 'b 0@3 0', 'c 1@1 0', 'a 0@4 0'),
    );
    expect(evidence).to.deep.equal({
      violations: [],
      firstAttempts: 7,
      lanes: 3,
      aheadOfPartitionOrder: 0,
    });
  });

  it('passes other keys overtaking each other within a partition, and counts it', () => {
    // b's 0@3 starts before a's 0@2: concurrency within the partition, in key order.
    const evidence = checkKeyOrder(ledger('a 0@0 0', 'b 0@1 0', 'b 0@3 0', 'a 0@2 0', 'a 0@4 0'));
    expect(evidence.violations).to.deep.equal([]);
    expect(evidence.aheadOfPartitionOrder).to.equal(1);
  });

  it('fails a key whose later record was first handled before an earlier one', () => {
    const evidence = checkKeyOrder(ledger('a 0@0 0', 'b 0@1 0', 'a 0@4 0', 'a 0@2 0', 'b 0@3 0'));
    expect(evidence.violations).to.deep.equal([
      { key: 'a', partition: 0, handledFirst: '4', handledAfter: '2' },
    ]);
  });

  it('compares offsets as numbers, not text', () => {
    expect(checkKeyOrder(ledger('a 0@9 0', 'a 0@10 0')).violations).to.deep.equal([]);
    expect(checkKeyOrder(ledger('a 0@10 0', 'a 0@9 0')).violations).to.have.length(1);
  });

  it('ignores the copies a kill or a rebalance makes: only a record’s first hand-over counts', () => {
    // 0@0 and 0@1 were done, the owner was killed before its commit, and the new owner handled
    // both again from the committed offset before going on to 0@2.
    const evidence = checkKeyOrder(
      ledger('a 0@0 0', 'a 0@1 0', 'a 0@0 0', 'a 0@1 0', 'a 0@2 0', 'a 0@1 0'),
    );
    expect(evidence.violations).to.deep.equal([]);
    expect(evidence.firstAttempts).to.equal(3);
  });

  it('ignores retries: a redelivery from a tier is a later try, not a first attempt', () => {
    const evidence = checkKeyOrder(ledger('a 0@0 0', 'a 0@1 0', 'a 2@7 1', 'a 0@0 1', 'a 0@2 0'));
    expect(evidence.violations).to.deep.equal([]);
    expect(evidence.firstAttempts).to.equal(3);
  });

  it('keeps each partition of a key apart, and gives records without a key one lane per partition', () => {
    // The same key in two partitions (a producer that sent it to both) is two lanes.
    expect(checkKeyOrder(ledger('a 1@5 0', 'a 0@2 0')).violations).to.deep.equal([]);
    const nullKeys = checkKeyOrder(ledger('- 0@3 0', '- 1@1 0', '- 0@1 0'));
    expect(nullKeys.lanes).to.equal(2);
    expect(nullKeys.violations).to.deep.equal([
      { key: null, partition: 0, handledFirst: '3', handledAfter: '1' },
    ]);
  });
});
