import { expect } from 'chai';
import { randomBytes, randomInt } from 'node:crypto';
import type { ArchiveFilter, ArchiveStore } from '@ricochet/archive';
import { day, hour, listIds, makeInput, startTime } from './fixtures.js';
import { seed } from './seed.js';
import type { SuiteContext } from './store-suite.js';

async function idsOf(store: ArchiveStore, filter: ArchiveFilter): Promise<number[]> {
  return (await store.list(filter, { limit: 100 })).records.map((record) => record.id);
}

export function describeQueries(context: () => SuiteContext): void {
  describe('list', () => {
    it('lists newest first and pages with a cursor to the end', async () => {
      const { store } = context();
      const ids = await seed(context());
      const first = await store.list({}, { limit: 2 });
      expect(first.records.map((r) => r.id)).to.deep.equal([ids[4], ids[3]]);
      const second = await store.list({}, { limit: 2, cursor: first.nextCursor ?? '' });
      expect(second.records.map((r) => r.id)).to.deep.equal([ids[2], ids[1]]);
      const last = await store.list({}, { limit: 2, cursor: second.nextCursor ?? '' });
      expect(last.records.map((r) => r.id)).to.deep.equal([ids[0]]);
      expect(last.nextCursor).to.equal(undefined);
      const whole = await store.list({}, { limit: 5 });
      expect(whole.records).to.have.length(5);
      expect(whole.nextCursor, 'no empty page after an exact fit').to.equal(undefined);
    });

    it('keeps paging stable when records arrive between pages', async () => {
      const { store } = context();
      const ids = await seed(context());
      const first = await store.list({}, { limit: 3 });
      await store.insert([makeInput(), makeInput()]);
      const rest = await store.list({}, { limit: 10, cursor: first.nextCursor ?? '' });
      expect(rest.records.map((r) => r.id)).to.deep.equal([ids[1], ids[0]]);
    });

    it('applies each filter alone', async () => {
      const { store } = context();
      const ids = await seed(context());
      await store.markReplayed(ids[1] ?? 0, startTime + 2 * day);
      const pick = (...positions: number[]): number[] => positions.map((p) => ids[p] ?? -1);
      const cases: Array<[ArchiveFilter, number[]]> = [
        [{}, pick(4, 3, 2, 1, 0)],
        [{ ids: pick(0, 2) }, pick(2, 0)],
        [{ ids: [] }, []],
        [{ originalTopic: 'orders' }, pick(1, 0)],
        [{ retryGroup: 'ledger' }, pick(3, 2)],
        [{ errorClass: 'TimeoutError' }, pick(4, 2, 0)],
        [{ deadLetterReason: 'decode-failed' }, pick(3)],
        [{ deadLetterReason: 'retries-exhausted' }, pick(4, 2, 1, 0)],
        [{ since: startTime + hour }, pick(4, 3, 2)],
        [{ since: startTime + hour + 1 }, pick(4, 3)],
        [{ until: startTime + hour }, pick(1, 0)],
        [{ key: 'k1' }, pick(2, 0)],
        [{ key: 'K1' }, []],
        [{ grep: 'TIMED' }, pick(0)],
        [{ grep: 'a-1' }, pick(0)],
        [{ grep: 'échec' }, pick(2)],
        [{ grep: 'k1' }, pick(4)],
        [{ status: 'replayed' }, pick(1)],
        [{ status: 'archived' }, pick(4, 3, 2, 0)],
        [{ status: 'purged' }, []],
      ];
      for (const [filter, expected] of cases) {
        expect(await idsOf(store, filter), JSON.stringify(filter)).to.deep.equal(expected);
      }
    });

    it('ANDs filters given together', async () => {
      const { store } = context();
      const ids = await seed(context());
      const cases: Array<[ArchiveFilter, Array<number | undefined>]> = [
        [{ originalTopic: 'payments', errorClass: 'TimeoutError' }, [ids[2]]],
        [{ errorClass: 'TimeoutError', since: startTime + hour, grep: 'LEDGER' }, [ids[2]]],
        [{ since: startTime + 10 * 60_000, until: startTime + day }, [ids[2], ids[1]]],
        [{ retryGroup: 'billing', key: 'k1', status: 'archived' }, [ids[0]]],
        [{ originalTopic: 'orders', retryGroup: 'ledger' }, []],
      ];
      for (const [filter, expected] of cases) {
        expect(await idsOf(store, filter), JSON.stringify(filter)).to.deep.equal(expected);
      }
    });

    it('matches grep text literally, LIKE wildcards and escapes included', async () => {
      const { store } = context();
      const messages = ['100% done', '100 percent', 'a_b', 'axb', 'x!y', 'back\\slash', 'A%B'];
      await store.insert(messages.map((errorMessage) => makeInput({ errorMessage })));
      const grep = async (text: string): Promise<string[]> =>
        (await store.list({ grep: text }, { limit: 100 })).records
          .map((r) => r.errorMessage ?? '')
          .sort();
      expect(await grep('%')).to.deep.equal(['100% done', 'A%B']);
      expect(await grep('0%')).to.deep.equal(['100% done']);
      expect(await grep('a%b')).to.deep.equal(['A%B']);
      expect(await grep('_')).to.deep.equal(['a_b']);
      expect(await grep('a_b')).to.deep.equal(['a_b']);
      expect(await grep('!')).to.deep.equal(['x!y']);
      expect(await grep('\\')).to.deep.equal(['back\\slash']);
      expect(await grep('100')).to.deep.equal(['100 percent', '100% done']);
    });

    it('stores and finds a key longer than an index entry can hold', async () => {
      const { store } = context();
      // Random hex: 16,000 characters that compress to about 8 kB, beyond PostgreSQL's B-tree
      // entry limit (about 2.7 kB), so a plain index on the key would refuse the insert.
      const longKey = randomBytes(8_000).toString('hex');
      await store.insert([makeInput({ key: Buffer.from(longKey) }), makeInput()]);
      const [target] = await listIds(store, { key: longKey });
      expect(target).to.be.a('number');
      expect(await idsOf(store, { key: longKey.slice(1) })).to.deep.equal([]);
    });

    it('stores header texts longer than an index entry can hold bounded, and tells apart two that share a start', async () => {
      const { store } = context();
      // Two of each indexed text, alike but for their last characters: random hex, 10,000
      // characters that barely compress, beyond PostgreSQL's B-tree entry limit (about 2.7 kB).
      const start = randomBytes(5_000).toString('hex');
      const texts = (end: string) => ({
        originalTopic: `${start}-topic-${end}`,
        retryGroup: `${start}-group-${end}`,
        errorClass: `${start}-class-${end}`,
        deadLetterReason: `${start}-reason-${end}`,
      });
      // The same original position: one record per original and group must not merge them.
      const position = { originalPartition: 0, originalOffset: '7' };
      const [a, b] = [texts('a'), texts('b')];
      await store.insert([makeInput({ ...a, ...position }), makeInput({ ...b, ...position })]);
      const { records } = await store.list({}, { limit: 10 });
      expect(records).to.have.length(2);
      for (const record of records) {
        for (const field of ['originalTopic', 'retryGroup', 'errorClass', 'deadLetterReason']) {
          const stored = String(record[field as keyof typeof record]);
          expect(Buffer.byteLength(stored), field).to.be.at.most(600);
          expect(stored, field).to.match(/…\[truncated from \d+ bytes, sha256 [0-9a-f]{64}\]$/);
          expect(start.startsWith(stored.slice(0, stored.indexOf('…'))), field).to.equal(true);
        }
      }
      const [storedB, storedA] = records;
      for (const [whole, stored, id] of [
        [a, storedA!, storedA!.id],
        [b, storedB!, storedB!.id],
      ] as const) {
        for (const field of ['originalTopic', 'retryGroup', 'errorClass', 'deadLetterReason']) {
          const name = field as keyof typeof whole;
          expect(await idsOf(store, { [name]: whole[name] }), `${name} whole`).to.deep.equal([id]);
          expect(await idsOf(store, { [name]: stored[name] }), `${name} as stored`).to.deep.equal([
            id,
          ]);
        }
      }
      expect(await idsOf(store, { errorClass: a.errorClass.slice(0, -1) })).to.deep.equal([]);
      const stats = await store.stats({}, 'day');
      expect(stats.byErrorClass.map((group) => group.count)).to.deep.equal([1, 1]);
      expect(stats.byDeadLetterReason.map((group) => group.count)).to.deep.equal([1, 1]);
    });

    it('takes all four indexed texts at their longest in three-byte characters in one record', async () => {
      const { store } = context();
      // Random CJK, three UTF-8 bytes a character that do not compress: 200 of them (600 bytes)
      // are stored whole, 2,000 bounded; either way the combined filter index must take them.
      const cjk = (length: number): string =>
        Array.from({ length }, () => String.fromCodePoint(0x4e00 + randomInt(0x5000))).join('');
      for (const length of [200, 2_000]) {
        const input = makeInput({
          originalTopic: cjk(length),
          retryGroup: cjk(length),
          errorClass: cjk(length),
          deadLetterReason: cjk(length),
        });
        await store.insert([input]);
        const [id] = await idsOf(store, { errorClass: input.errorClass! });
        const stored = await store.get(id!);
        expect(stored?.errorClass === input.errorClass, `${length} stored whole`).to.equal(
          length === 200,
        );
        expect(await idsOf(store, { retryGroup: input.retryGroup! })).to.deep.equal([id]);
      }
    });

    it('binds injection-looking values as data', async () => {
      const { store } = context();
      const evil = "'; DROP TABLE ricochet_archive_record; --";
      const quote = `" OR 1=1 --`;
      await store.insert([
        makeInput({ originalTopic: evil, errorClass: quote, retryGroup: evil, errorMessage: evil }),
        makeInput(),
      ]);
      const [target] = await listIds(store, { originalTopic: evil });
      expect(target).to.be.a('number');
      const filters: ArchiveFilter[] = [
        { originalTopic: evil },
        { errorClass: quote },
        { retryGroup: evil },
        { grep: evil },
        { grep: 'drop table ricochet_archive_record; --' },
      ];
      for (const filter of filters) {
        expect(await idsOf(store, filter), JSON.stringify(filter)).to.deep.equal([target]);
      }
      for (const filter of [
        { originalTopic: "x' OR '1'='1" },
        { key: evil },
        { grep: "' OR 1=1 --" },
      ]) {
        expect(await idsOf(store, filter), JSON.stringify(filter)).to.deep.equal([]);
      }
      expect(await store.insert([makeInput()])).to.equal(1);
      expect(await listIds(store, {})).to.have.length(3);
    });
  });

  describe('iterate', () => {
    it('yields every match newest first across chunks', async () => {
      const { store } = context();
      const ids = await seed(context());
      const seen: number[] = [];
      for await (const record of store.iterate({}, 2)) {
        seen.push(record.id);
      }
      expect(seen).to.deep.equal([...ids].reverse());
      const timeouts: number[] = [];
      for await (const record of store.iterate({ errorClass: 'TimeoutError' })) {
        timeouts.push(record.id);
      }
      expect(timeouts).to.deep.equal([ids[4], ids[2], ids[0]]);
    });
  });
}
