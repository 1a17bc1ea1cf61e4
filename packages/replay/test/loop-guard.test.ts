import { expect } from 'chai';
import type { ArchivedRecord } from '@ricochet/archive';
import { defaultMaxReplays } from '@ricochet/replay';
import { decideReplay, replaysSoFar } from '@ricochet/replay/internal';

function archived(overrides: Partial<ArchivedRecord> = {}): ArchivedRecord {
  return {
    id: 7,
    dlqTopic: 'dlq',
    dlqPartition: 0,
    dlqOffset: '3',
    originalTopic: 'orders',
    originalPartition: 1,
    originalOffset: '40',
    originalTimestamp: 1_700_000_000_000,
    key: Buffer.from('order-1'),
    value: Buffer.from('{"amount":12}'),
    headers: [
      { name: 'trace', value: Buffer.from('a') },
      { name: 'trace', value: Buffer.from('b') },
      { name: 'try_count', value: Buffer.from('4') },
      { name: 'error-class', value: Buffer.from('TimeoutError') },
    ],
    tryCount: 4,
    retryGroup: 'billing',
    errorClass: 'TimeoutError',
    errorMessage: 'timed out',
    errorStack: null,
    firstFailureAt: null,
    lastFailureAt: null,
    deadLetterReason: 'retries-exhausted',
    searchableValue: null,
    archivedAt: 1_700_000_000_000,
    status: 'archived',
    replayedAt: null,
    replayCount: 0,
    ...overrides,
  };
}

const replayCount = (count: string) => ({ name: 'replay-count', value: Buffer.from(count) });
const guard = { maxReplays: defaultMaxReplays, force: false };

describe('the replay loop guard', () => {
  it('replays to the original topic with the user headers, naming the archive id and counting the replay', () => {
    const decision = decideReplay(archived(), guard);
    expect(decision).to.deep.equal({
      kind: 'replay',
      outgoing: {
        topic: 'orders',
        key: Buffer.from('order-1'),
        value: Buffer.from('{"amount":12}'),
        headers: {
          trace: [Buffer.from('a'), Buffer.from('b')],
          'replayed-from': '7',
          'replay-count': '1',
        },
      },
    });
  });

  it('refuses a record replayed maxReplays times, saying why, unless forced', () => {
    expect(decideReplay(archived({ replayCount: 2 }), guard)).to.include({ kind: 'replay' });
    const refused = decideReplay(archived({ replayCount: 3 }), guard);
    expect(refused).to.deep.equal({
      kind: 'refused',
      reason: "replayed 3 times already, the loop guard's limit is 3 (force to replay it anyway)",
    });
    const forced = decideReplay(archived({ replayCount: 3 }), { ...guard, force: true });
    expect(forced.kind === 'replay' && forced.outgoing.headers['replay-count']).to.equal('4');
    expect(decideReplay(archived(), { maxReplays: 0, force: false }).kind).to.equal('refused');
  });

  it('counts the replays that led to a record archived again, from its replay-count header', () => {
    const again = archived({ headers: [replayCount('2')], replayCount: 0 });
    expect(replaysSoFar(again)).to.equal(2);
    const decision = decideReplay(again, guard);
    expect(decision.kind === 'replay' && decision.outgoing.headers['replay-count']).to.equal('3');
    expect(
      decideReplay(archived({ headers: [replayCount('2')], replayCount: 1 }), guard),
    ).to.include({ kind: 'refused' });
  });

  it('reads a replay-count header it cannot trust as none, and the highest of several', () => {
    for (const text of ['-5', '1e3', ' 2', '0x10', '', '99999999999999']) {
      expect(replaysSoFar(archived({ headers: [replayCount(text)] })), text).to.equal(0);
    }
    const several = archived({ headers: [replayCount('1'), replayCount('5'), replayCount('2')] });
    expect(replaysSoFar(several)).to.equal(5);
  });

  it('fails, whatever the guard, a purged record and one without an original topic', () => {
    const force = { ...guard, force: true };
    expect(decideReplay(archived({ status: 'purged' }), force)).to.deep.equal({
      kind: 'failed',
      reason: 'purged (its value is gone)',
    });
    expect(decideReplay(archived({ originalTopic: null }), force)).to.deep.equal({
      kind: 'failed',
      reason: 'no original topic in its headers',
    });
  });
});
