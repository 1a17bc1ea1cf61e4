import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { ConfigError } from '@ricochet/core';
import { ArchiveInputError, type ArchiveInput } from '@ricochet/archive';
import { expectStoredAs, listIds, makeInput, rejectionOf, startTime } from './fixtures.js';
import type { SuiteContext } from './store-suite.js';

/** The fields that say which original record, failed by which group, a dead letter is. */
function identityOf(
  input: ArchiveInput,
): Pick<ArchiveInput, 'retryGroup' | 'originalTopic' | 'originalPartition' | 'originalOffset'> {
  const { retryGroup, originalTopic, originalPartition, originalOffset } = input;
  return { retryGroup, originalTopic, originalPartition, originalOffset };
}

/**
 * Insert and get: every field round-trips; a dead-letter position, and an original record per
 * group, is stored once; all or none.
 */
export function describeRecords(context: () => SuiteContext): void {
  describe('insert and get', () => {
    it('round-trips every field, binary and int64 included', async () => {
      const { store } = context();
      const input = makeInput({
        dlqPartition: 2_147_483_647,
        dlqOffset: '9223372036854775807',
        originalOffset: '9007199254740993', // above 2^53: a double would round it
        key: Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a]),
        value: randomBytes(4096),
        headers: [
          { name: 'trace', value: Buffer.from('first') },
          { name: 'bin', value: Buffer.from([0xc3, 0x28, 0x00, 0xff]) }, // not UTF-8
          { name: 'trace', value: Buffer.from('second') },
          { name: 'empty', value: Buffer.alloc(0) },
          { name: 'ünïcode 名前', value: Buffer.from('värde') },
          { name: 'trace', value: Buffer.from('first') },
        ],
        errorMessage: 'multi\nline ✓ 🚀',
      });
      expect(await store.insert([input])).to.equal(1);
      const [id] = await listIds(store, {});
      const stored = await store.get(id ?? 0);
      expectStoredAs(stored, input);
      expect(stored).to.include({
        archivedAt: startTime,
        status: 'archived',
        replayedAt: null,
        replayCount: 0,
      });
      expect(Buffer.isBuffer(stored?.key)).to.equal(true);
      expect(stored?.headers[1]?.value).to.deep.equal(Buffer.from([0xc3, 0x28, 0x00, 0xff]));
    });

    it('round-trips a tombstone with every optional field null', async () => {
      const { store } = context();
      const input: ArchiveInput = {
        ...makeInput(),
        originalTopic: null,
        originalPartition: null,
        originalOffset: null,
        originalTimestamp: null,
        key: null,
        value: null,
        headers: [],
        tryCount: null,
        retryGroup: null,
        errorClass: null,
        errorMessage: null,
        errorStack: null,
        firstFailureAt: null,
        lastFailureAt: null,
        deadLetterReason: null,
        searchableValue: null,
      };
      await store.insert([input]);
      const [id] = await listIds(store, {});
      expectStoredAs(await store.get(id ?? 0), input);
    });

    it('keeps an empty key and value apart from null ones', async () => {
      const { store } = context();
      const input = makeInput({ key: Buffer.alloc(0), value: Buffer.alloc(0) });
      await store.insert([input]);
      const [id] = await listIds(store, {});
      expectStoredAs(await store.get(id ?? 0), input);
    });

    it('stores a value of about 1 MB exactly', async () => {
      const { store } = context();
      const value = randomBytes(1024 * 1024 + 17);
      await store.insert([makeInput({ value, searchableValue: null })]);
      const [id] = await listIds(store, {});
      expect((await store.get(id ?? 0))?.value?.equals(value)).to.equal(true);
    });

    it('gives increasing ids in archive order and stamps archivedAt', async () => {
      const { store, fixture } = context();
      await store.insert([makeInput({ errorClass: 'A' }), makeInput({ errorClass: 'B' })]);
      fixture.clock.time += 5_000;
      await store.insert([makeInput({ errorClass: 'C' })]);
      const { records } = await store.list({}, { limit: 10 });
      expect(records.map((r) => r.errorClass)).to.deep.equal(['C', 'B', 'A']);
      const ids = records.map((r) => r.id);
      expect(ids.every((id, i) => Number.isSafeInteger(id) && id > (ids[i + 1] ?? 0))).to.equal(
        true,
      );
      expect(records.map((r) => r.archivedAt)).to.deep.equal([
        startTime + 5_000,
        startTime,
        startTime,
      ]);
    });

    it('answers undefined for an id it does not hold, ConfigError for one that cannot be', async () => {
      const { store } = context();
      expect(await store.get(987_654)).to.equal(undefined);
      const error = await rejectionOf(store.get(1.5), ConfigError);
      expect(error.field).to.equal('id');
      await rejectionOf(store.get(0), ConfigError);
    });

    it('stores NUL characters in text as U+FFFD on every backend', async () => {
      const { store } = context();
      await store.insert([makeInput({ errorMessage: 'a\u0000b', searchableValue: '\u0000' })]);
      const [id] = await listIds(store, {});
      expect(await store.get(id ?? 0)).to.include({
        errorMessage: 'a\uFFFDb',
        searchableValue: '\uFFFD',
      });
    });
  });

  describe('idempotent insert', () => {
    it('stores a dead-letter position once and reports 0 the second time', async () => {
      const { store } = context();
      const input = makeInput();
      expect(await store.insert([input])).to.equal(1);
      expect(await store.insert([{ ...input, errorMessage: 'a different message' }])).to.equal(0);
      const { records } = await store.list({}, { limit: 10 });
      expect(records).to.have.length(1);
      expect(records[0]?.errorMessage).to.equal(input.errorMessage);
    });

    it('counts only the new records of a batch with duplicates, inside it and before it', async () => {
      const { store } = context();
      const [a, b, c] = [makeInput(), makeInput(), makeInput()];
      expect(await store.insert([a])).to.equal(1);
      expect(await store.insert([a, b, b, c, a])).to.equal(2);
      expect(await listIds(store, {})).to.have.length(3);
    });

    it('tells positions apart by topic, partition and offset', async () => {
      const { store } = context();
      const base = makeInput();
      const stored = await store.insert([
        base,
        { ...makeInput(), dlqTopic: 'dlq-other', dlqOffset: base.dlqOffset },
        { ...makeInput(), dlqPartition: 1, dlqOffset: base.dlqOffset },
        { ...makeInput(), dlqOffset: `${base.dlqOffset}0` },
      ]);
      expect(stored).to.equal(4);
    });

    it('stores a record dead-lettered twice by its group (two positions) once, keeping the first', async () => {
      const { store } = context();
      const first = makeInput({ errorMessage: 'the first dead-lettering' });
      const again = { ...makeInput(), ...identityOf(first), errorMessage: 'the second one' };
      expect(await store.insert([first])).to.equal(1);
      expect(await store.insert([again])).to.equal(0);
      const inOneBatch = makeInput();
      expect(
        await store.insert([inOneBatch, { ...makeInput(), ...identityOf(inOneBatch) }]),
      ).to.equal(1);
      const { records } = await store.list({}, { limit: 10 });
      expect(records.map((record) => record.errorMessage)).to.deep.equal([
        inOneBatch.errorMessage,
        'the first dead-lettering',
      ]);
    });

    it('tells original records apart by group, topic, partition and offset', async () => {
      const { store } = context();
      const base = makeInput();
      const stored = await store.insert([
        base,
        { ...makeInput(), ...identityOf(base), retryGroup: 'shipping' },
        { ...makeInput(), ...identityOf(base), originalTopic: 'payments' },
        { ...makeInput(), ...identityOf(base), originalPartition: 7 },
        { ...makeInput(), ...identityOf(base), originalOffset: '999' },
      ]);
      expect(stored).to.equal(5);
    });

    it('stores dead letters without a complete original identity per position', async () => {
      const { store } = context();
      const noContract = { retryGroup: null, originalPartition: null, originalOffset: null };
      const base = makeInput();
      const stored = await store.insert([
        makeInput(noContract),
        makeInput(noContract),
        { ...makeInput(), ...identityOf(base), retryGroup: null },
        { ...makeInput(), ...identityOf(base), retryGroup: null },
        { ...makeInput(), ...identityOf(base), originalOffset: null },
        { ...makeInput(), ...identityOf(base), originalOffset: null },
      ]);
      expect(stored).to.equal(6);
    });

    it('stores malformed-header dead letters claiming one original position per position', async () => {
      const { store } = context();
      const claimed = makeInput({ deadLetterReason: 'malformed-retry-headers' });
      const stored = await store.insert([
        claimed,
        { ...makeInput(), ...identityOf(claimed), deadLetterReason: 'malformed-retry-headers' },
        { ...makeInput(), ...identityOf(claimed) },
        { ...makeInput(), ...identityOf(claimed) },
      ]);
      expect(stored).to.equal(3);
    });

    it('stores nothing and answers 0 for an empty batch', async () => {
      expect(await context().store.insert([])).to.equal(0);
    });
  });

  describe('atomic insert', () => {
    it('stores none of a large batch when its last record is bad', async () => {
      const { store } = context();
      const batch = Array.from({ length: 1_500 }, () => makeInput({ value: randomBytes(64) }));
      batch.push(makeInput({ dlqOffset: 'not-an-offset' }));
      const error = await rejectionOf(store.insert(batch), ArchiveInputError);
      expect(error.field).to.equal('records[1500].dlqOffset');
      expect(error.retriable).to.equal(false);
      expect(await listIds(store, {})).to.deep.equal([]);
      expect(await store.insert(batch.slice(0, 1_500))).to.equal(1_500);
    });

    it('names the bad field of a record', async () => {
      const { store } = context();
      const cases: Array<[Partial<ArchiveInput>, string]> = [
        [{ dlqOffset: '01' }, 'dlqOffset'],
        [{ dlqOffset: '9223372036854775808' }, 'dlqOffset'],
        [{ dlqPartition: -1 }, 'dlqPartition'],
        [{ dlqTopic: '' }, 'dlqTopic'],
        [{ originalTimestamp: 1.5 }, 'originalTimestamp'],
        [{ key: 'text' as unknown as Buffer }, 'key'],
        [{ headers: [{ name: 'h', value: 'text' as unknown as Buffer }] }, 'headers[0]'],
      ];
      for (const [override, field] of cases) {
        const error = await rejectionOf(store.insert([makeInput(override)]), ArchiveInputError);
        expect(error.field, field).to.equal(`records[0].${field}`);
      }
      expect(await listIds(store, {})).to.deep.equal([]);
    });
  });
}
