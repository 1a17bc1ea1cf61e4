import { expect } from 'chai';
import { checkKeyOrder, type Invocation } from '@ricochet/chaos';

/**
 * A ledger written in the order given: each call's sequence is its place in the list, and it is
 * called at that many ms. A call is `key partition@offset try [end] [outcome]`: e.g. `a 0@3 0`
 * ends 1 ms after it starts, before the next call; `a 0@3 0 9` ends at 9 ms, `a 0@3 0 -` never
 * ends (its process was killed). A null key is written `-`.
 */
function ledger(...calls: string[]): Invocation[] {
  return calls.map((text, index) => {
    const [key, position, tryCount, end, outcome] = text.split(' ');
    const [partition, offset] = (position ?? '').split('@');
    const invokedAt = index + 1;
    return {
      sequence: index + 1,
      recordId: `r${partition}-${offset}`,
      key: key === '-' ? null : (key ?? null),
      tryCount: Number(tryCount),
      invokedAt,
      endedAt: end === undefined ? invokedAt + 0.5 : end === '-' ? null : Number(end),
      dueAt: null,
      pid: 1,
      outcome: (outcome ?? 'succeeded') as Invocation['outcome'],
      partition: Number(partition),
      offset: offset ?? '',
      originalPartition: Number(partition),
      originalOffset: offset ?? '',
    };
  });
}

const failing = (evidence: ReturnType<typeof checkKeyOrder>) => [
  ...evidence.outOfOrder,
  ...evidence.overlapping,
];

describe('chaos key-order checks', () => {
  it('pass keys handled in offset order, interleaved with other keys and partitions', () => {
    const evidence = checkKeyOrder(
      ledger('a 0@0 0', 'b 0@1 0', 'c 1@0 0', 'a 0@2 0', 'b 0@3 0', 'c 1@1 0', 'a 0@4 0'),
    );
    expect(evidence).to.deep.equal({
      outOfOrder: [],
      overlapping: [],
      firstAttempts: 7,
      lanes: 3,
      overlappedInPartition: 0,
    });
  });

  it('pass other keys running at once and overtaking each other within a partition, and count it', () => {
    // b's 0@1 and 0@3 start while a's 0@0 runs, and 0@3 before a's 0@2: in key order.
    const evidence = checkKeyOrder(
      ledger('a 0@0 0 3.5', 'b 0@1 0', 'b 0@3 0', 'a 0@2 0', 'a 0@4 0'),
    );
    expect(failing(evidence)).to.deep.equal([]);
    expect(evidence.overlappedInPartition).to.equal(2);
  });

  it('fail a key whose later record was first handled before an earlier one', () => {
    const evidence = checkKeyOrder(ledger('a 0@0 0', 'b 0@1 0', 'a 0@4 0', 'a 0@2 0', 'b 0@3 0'));
    expect(evidence.outOfOrder).to.deep.equal([
      { kind: 'out-of-order', key: 'a', partition: 0, earlier: '2', later: '4' },
    ]);
  });

  it('fail a key whose next record was handed over while the one before was still running', () => {
    // In offset order, but 0@2 starts at 2 ms while 0@0 runs until 5 ms.
    const evidence = checkKeyOrder(ledger('a 0@0 0 5', 'a 0@2 0', 'a 0@3 0'));
    expect(evidence.outOfOrder).to.deep.equal([]);
    expect(evidence.overlapping).to.deep.equal([
      { kind: 'overlapping', key: 'a', partition: 0, earlier: '0', later: '2' },
    ]);
    expect(evidence.overlappedInPartition).to.equal(2);
  });

  it('let off calls the main consumer does not wait for: a timeout, a crash', () => {
    const evidence = checkKeyOrder(
      ledger('a 0@0 0 90 outlasts-timeout', 'a 0@1 0 - crashes-process', 'a 0@2 0'),
    );
    expect(failing(evidence)).to.deep.equal([]);
  });

  it('compare offsets as numbers, not text', () => {
    expect(failing(checkKeyOrder(ledger('a 0@9 0', 'a 0@10 0')))).to.deep.equal([]);
    expect(checkKeyOrder(ledger('a 0@10 0', 'a 0@9 0')).outOfOrder).to.have.length(1);
  });

  it('ignore the copies a kill or a rebalance makes: only a record’s first hand-over counts', () => {
    // 0@0 was done and 0@1 running when the owner was killed before its commit; the new owner
    // handled both again from the committed offset before going on to 0@2.
    const evidence = checkKeyOrder(
      ledger('a 0@0 0', 'a 0@1 0 -', 'a 0@0 0', 'a 0@1 0', 'a 0@2 0', 'a 0@1 0'),
    );
    expect(failing(evidence)).to.deep.equal([]);
    expect(evidence.firstAttempts).to.equal(3);
  });

  it('ignore retries: a redelivery from a tier is a later try, not a first attempt', () => {
    const evidence = checkKeyOrder(
      ledger('a 0@0 0', 'a 0@1 0', 'a 2@7 1 9', 'a 0@0 1 9', 'a 0@2 0'),
    );
    expect(failing(evidence)).to.deep.equal([]);
    expect(evidence.firstAttempts).to.equal(3);
  });

  it('keep each partition of a key apart, and give records without a key one lane per partition', () => {
    // The same key in two partitions (a producer that sent it to both) is two lanes.
    expect(failing(checkKeyOrder(ledger('a 1@5 0 9', 'a 0@2 0')))).to.deep.equal([]);
    const nullKeys = checkKeyOrder(ledger('- 0@3 0', '- 1@1 0', '- 0@1 0'));
    expect(nullKeys.lanes).to.equal(2);
    expect(nullKeys.outOfOrder).to.deep.equal([
      { kind: 'out-of-order', key: null, partition: 0, earlier: '1', later: '3' },
    ]);
  });
});
