import { expect } from 'chai';
import {
  blockedKeysPartition,
  blockedKeysRecordKey,
  blockedKeysTopic,
  decodeBlockedKeysRecord,
  encodeBlockedKeysRecord,
  keyBase64,
  releaseRecordKey,
  type BlockedKeyEntry,
  type BlockedKeysRecord,
  type OutgoingRecord,
} from '@ricochet/core';
import {
  collectTopic,
  produceRecords,
  runCliCaptured,
  testBrokers,
  uniqueName,
  waitFor,
  withAdmin,
} from '@ricochet/testing';
import { deleteTopicsIfPresent } from './topology-fixtures.js';

const partitions = 2;
/** A key that would clear the screen and set a hyperlink if printed raw. */
const hostileKey = Buffer.from('acct\u001b[2J\u001b]8;;http://x\u0007');

function entry(fields: Partial<BlockedKeyEntry>): BlockedKeyEntry {
  return {
    version: 1,
    kind: 'entry',
    topic: 'orders',
    partition: 3,
    key: keyBase64(Buffer.from('account-7')),
    blocker: { offset: '42', since: Date.now() - 90_000 },
    waitingSince: Date.now() - 80_000,
    followers: 2,
    lastFollowerOffset: '50',
    handledThroughOffset: null,
    deadLetterFollowers: false,
    updatedAt: Date.now(),
    ...fields,
  };
}

function asRecord(topic: string, record: BlockedKeysRecord): OutgoingRecord {
  return {
    topic,
    partition: blockedKeysPartition(record.partition, partitions),
    key: Buffer.from(blockedKeysRecordKey(record)),
    value: encodeBlockedKeysRecord(record),
    headers: {},
  };
}

interface StatusJson {
  keys: {
    topic: string;
    partition: number;
    key: string | null;
    keyText: string;
    blockerOffset: string | null;
    waitedMilliseconds: number;
    followers: number;
  }[];
  unreadable: string[];
}

describe('ricochet order status and release (real broker)', function () {
  this.timeout(60_000);
  let group: string;
  let topic: string;
  let brokers: string[];

  beforeEach(async () => {
    group = uniqueName('strict');
    topic = blockedKeysTopic(group);
    brokers = ['--brokers', testBrokers().join(',')];
    await withAdmin((admin) =>
      admin.createTopics([{ topic, partitions, configs: { 'cleanup.policy': 'compact' } }], {
        waitForLeaders: true,
      }),
    );
  });

  afterEach(async () => {
    await deleteTopicsIfPresent([topic]);
  });

  it('lists the blocked keys, escaped, with blocker, wait and followers; tombstoned ones are gone', async () => {
    const blocked = entry({});
    const draining = entry({
      topic: 'payments',
      partition: 0,
      key: keyBase64(hostileKey),
      blocker: null,
      followers: 1,
    });
    const nullKey = entry({
      partition: 4,
      key: null,
      followers: 0,
      lastFollowerOffset: null,
      waitingSince: null,
    });
    const gone = entry({ partition: 5 });
    await produceRecords([
      asRecord(topic, blocked),
      asRecord(topic, draining),
      asRecord(topic, nullKey),
      asRecord(topic, gone),
      { ...asRecord(topic, gone), value: null },
      // Someone else's record on the topic: reported, never fatal.
      { topic, partition: 0, key: Buffer.from('junk'), value: Buffer.from('{'), headers: {} },
    ]);

    const table = await runCliCaptured(['order', 'status', ...brokers, '--group', group]);
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.not.include('\u001b');
    const lines = table.stdout.split('\n');
    expect(lines[0]).to.match(
      /^TOPIC\s+PARTITION\s+KEY\s+BLOCKER OFFSET\s+WAITED\s+FOLLOWERS WAITING$/,
    );
    // The draining key waits since its first follower; the others since their blocker.
    expect(table.stdout).to.match(/^orders\s+3\s+"account-7"\s+42\s+1m 3\ds\s+2$/m);
    expect(table.stdout).to.match(
      new RegExp(
        `^payments\\s+0\\s+0x${hostileKey.toString('hex')}\\s+draining\\s+1m 2\\ds\\s+1$`,
        'm',
      ),
    );
    expect(table.stdout).to.match(/^orders\s+4\s+\(null key\)\s+42\s+/m);
    expect(table.stdout).to.not.match(/^orders\s+5\s/m);
    expect(table.stdout).to.include(`(3 keys in group ${group})`);
    expect(table.stderr).to.include('1 record(s) of');
    expect(table.stderr).to.include('"junk"');

    const json = await runCliCaptured([
      'order',
      'status',
      ...brokers,
      '--group',
      group,
      '--topic',
      'payments',
      '--json',
    ]);
    expect(json.code, json.stderr).to.equal(0);
    const parsed = JSON.parse(json.stdout) as StatusJson;
    expect(parsed.keys).to.have.length(1);
    const [only] = parsed.keys;
    expect(only).to.include({
      topic: 'payments',
      partition: 0,
      key: hostileKey.toString('base64'),
      blockerOffset: null,
      followers: 1,
    });
    expect(only?.waitedMilliseconds).to.be.within(80_000, 120_000);
    expect(parsed.unreadable).to.have.length(1);
  });

  it('says so when no key is blocked', async () => {
    const status = await runCliCaptured(['order', 'status', ...brokers, '--group', group]);
    expect(status.code, status.stderr).to.equal(0);
    expect(status.stdout).to.equal(`no blocked keys in group ${group}\n`);
  });

  it('release writes an acknowledged release command for the key named three ways', async () => {
    const collected = await collectTopic(topic);
    try {
      const requestedAfter = Date.now();
      const runs = [
        ['--key', 'account-7'],
        ['--key-base64', hostileKey.toString('base64')],
        ['--null-key'],
      ];
      for (const keyFlags of runs) {
        const release = await runCliCaptured([
          'order',
          'release',
          ...brokers,
          '--group',
          group,
          '--topic',
          'orders',
          '--partition',
          '3',
          ...keyFlags,
        ]);
        expect(release.code, release.stderr).to.equal(0);
        expect(release.stdout).to.include('requested');
        expect(release.stdout).to.not.include('\u001b');
      }
      const records = await waitFor('the three release commands', () =>
        collected.records.length >= 3 ? collected.records : undefined,
      );
      const expectedKeys = [Buffer.from('account-7'), hostileKey, null];
      records.forEach((record, index) => {
        const recordKey = record.key?.toString() ?? '';
        const key = expectedKeys[index] ?? null;
        expect(recordKey).to.equal(releaseRecordKey('orders', 3, key));
        expect(record.partition).to.equal(blockedKeysPartition(3, partitions));
        const command = decodeBlockedKeysRecord(recordKey, record.value);
        expect(command).to.deep.include({
          kind: 'release',
          topic: 'orders',
          partition: 3,
          key: keyBase64(key),
        });
        expect((command as { requestedAt: number }).requestedAt).to.be.at.least(requestedAfter);
      });

      const status = await runCliCaptured(['order', 'status', ...brokers, '--group', group]);
      expect(status.stdout).to.equal(`no blocked keys in group ${group}\n`);
    } finally {
      await collected.stop();
    }
  });

  it('shows a requested release next to the blocker until the owner acts', async () => {
    await produceRecords([asRecord(topic, entry({}))]);
    const release = await runCliCaptured([
      'order',
      'release',
      ...brokers,
      '--group',
      group,
      '--topic',
      'orders',
      '--partition',
      '3',
      '--key',
      'account-7',
    ]);
    expect(release.code, release.stderr).to.equal(0);
    const status = await runCliCaptured(['order', 'status', ...brokers, '--group', group]);
    expect(status.stdout).to.match(/"account-7"\s+42 \(release requested\)/);
  });

  it('exits 2 naming the flag or the missing topic', async () => {
    const cases: [string[], RegExp][] = [
      [['--topic', 'orders', '--partition', '-1', '--null-key'], /--partition/],
      [['--topic', 'a/b', '--partition', '1', '--null-key'], /--topic/],
      [['--topic', 'orders', '--partition', '1'], /--key: name the key/],
      [['--topic', 'orders', '--partition', '1', '--key-base64', 'YR=='], /--key-base64/],
    ];
    for (const [flags, message] of cases) {
      const run = await runCliCaptured([
        'order',
        'release',
        ...brokers,
        '--group',
        group,
        ...flags,
      ]);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.match(message);
    }
    const badGroup = await runCliCaptured(['order', 'status', ...brokers, '--group', 'a b']);
    expect(badGroup.code).to.equal(2);
    expect(badGroup.stderr).to.include('--group');
    const missing = await runCliCaptured([
      'order',
      'status',
      ...brokers,
      '--group',
      uniqueName('none'),
    ]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(
      /blocked-keys does not exist.*ricochet topology create --group/,
    );
  });
});
