import { expect } from 'chai';
import { ConfigError, keyBase64 } from '@ricochet/core';
import { BlockedKeysState, formatWait, keyText } from '../src/commands/order/blocked-keys-state.js';
import { releaseCommandOf } from '../src/commands/order/release.js';

describe('ricochet order: pure parts', () => {
  it('shows a key as quoted text, hex, or the null key', () => {
    expect(keyText(null)).to.equal('(null key)');
    expect(keyText(keyBase64(Buffer.alloc(0)))).to.equal('""');
    expect(keyText(keyBase64(Buffer.from('(null key)')))).to.equal('"(null key)"');
    expect(keyText(keyBase64(Buffer.from([0xff, 0x00])))).to.equal('0xff00');
    expect(keyText(keyBase64(Buffer.from('a\u001b[2Jb')))).to.equal('0x611b5b324a62');
  });

  it('formats a wait in its two largest units', () => {
    expect(formatWait(0)).to.equal('0s');
    expect(formatWait(45_900)).to.equal('45s');
    expect(formatWait(3_725_000)).to.equal('1h 2m');
    expect(formatWait(2 * 86_400_000 + 3_600_000)).to.equal('2d 1h');
  });

  it('keeps the last record per record key and skips what does not read', () => {
    const state = new BlockedKeysState();
    const record = (key: string, value: string | null, offset: string) => ({
      topic: 't',
      partition: 0,
      offset,
      timestamp: '0',
      key: Buffer.from(key),
      value: value === null ? null : Buffer.from(value),
      headers: {},
    });
    const entry = JSON.stringify({
      version: 1,
      kind: 'entry',
      topic: 'orders',
      partition: 1,
      key: null,
      blocker: { offset: '7', since: 1_000 },
      waitingSince: null,
      followers: 0,
      lastFollowerOffset: null,
      handledThroughOffset: null,
      deadLetterFollowers: false,
      updatedAt: 1_000,
    });
    state.add(record('entry/orders/1/null', entry, '0'));
    state.add(record('entry/orders/1/null', null, '1'));
    state.add(record('entry/orders/1/null', entry, '2'));
    state.add(record('entry/orders/2/null', entry, '3'));
    // A key whose chain is over (no blocker, no follower left) holds nothing back.
    state.add(
      record(
        'entry/orders/3/null',
        JSON.stringify({
          ...(JSON.parse(entry) as object),
          partition: 3,
          blocker: null,
          lastFollowerOffset: '9',
          handledThroughOffset: '9',
        }),
        '4',
      ),
    );
    expect(state.blockedKeys(61_000)).to.deep.equal([
      {
        topic: 'orders',
        partition: 1,
        key: null,
        keyText: '(null key)',
        blockerOffset: '7',
        since: 1_000,
        waitedMilliseconds: 60_000,
        followers: 0,
        lastFollowerOffset: null,
        handledThroughOffset: null,
        deadLetterFollowers: false,
        releaseRequestedAt: null,
      },
    ]);
    expect(state.unreadable).to.have.length(1);
    expect(state.unreadable[0]).to.include('offset 3');
  });

  it('builds the release command from exactly one key flag', () => {
    const flags = { topic: 'orders', partition: '3', nullKey: false };
    expect(releaseCommandOf({ ...flags, key: '' }, 5)).to.deep.equal({
      version: 1,
      kind: 'release',
      topic: 'orders',
      partition: 3,
      key: '',
      requestedAt: 5,
    });
    expect(releaseCommandOf({ ...flags, keyBase64: 'YQ==' }, 5).key).to.equal('YQ==');
    expect(releaseCommandOf({ ...flags, nullKey: true }, 5).key).to.equal(null);
    for (const [bad, field] of [
      [{ ...flags }, '--key'],
      [{ ...flags, key: 'a', keyBase64: 'YQ==' }, '--key-base64'],
      [{ ...flags, partition: '1.5', key: 'a' }, '--partition'],
      [{ ...flags, partition: '2147483648', key: 'a' }, '--partition'],
      [{ ...flags, topic: '__consumer_offsets', key: 'a' }, '--topic'],
      [{ ...flags, keyBase64: 'not base64' }, '--key-base64'],
    ] as const) {
      expect(() => releaseCommandOf(bad, 5))
        .to.throw(ConfigError)
        .with.property('field', field);
    }
  });
});
