import { expect } from 'chai';
import { crashGuardSlack, crashGuardWindow, PartitionCrashGuard } from '../src/crash-guard.js';

const self = 'instance-b';
const previous = 'instance-a';
const maxCrashes = 3;
const window = Number(crashGuardWindow);
const slack = Number(crashGuardSlack);
/** The end of a batch larger than the window: the window alone bounds the guard. */
const far = String(100 * window);

describe('PartitionCrashGuard', () => {
  describe('normal mode', () => {
    it('writes a guard before the first record, then handles records below it without a commit', () => {
      const guard = PartitionCrashGuard.takeOver(self, maxCrashes, '100', undefined);
      expect(guard.careful).to.equal(false);
      expect(guard.beforeRecord('100', far)).to.deep.equal({
        kind: 'mark',
        metadata: { owner: self, guard: String(100 + window) },
      });
      expect(guard.beforeRecord('101', far)).to.deep.equal({ kind: 'handle' });
      expect(guard.beforeRecord(String(100 + window - 1), far)).to.deep.equal({ kind: 'handle' });
      expect(guard.commitMetadata()).to.deep.equal({ owner: self, guard: String(100 + window) });
    });

    it('moves the guard on once a record reaches it', () => {
      const guard = PartitionCrashGuard.takeOver(self, maxCrashes, '0', undefined);
      guard.beforeRecord('0', far);
      expect(guard.beforeRecord(String(window), far)).to.deep.equal({
        kind: 'mark',
        metadata: { owner: self, guard: String(2 * window) },
      });
    });

    it('bounds the guard by the batch in hand plus the slack, so a crash leaves only that batch suspect', () => {
      const guard = PartitionCrashGuard.takeOver(self, maxCrashes, '100', undefined);
      expect(guard.beforeRecord('100', '132')).to.deep.equal({
        kind: 'mark',
        metadata: { owner: self, guard: String(132 + slack) },
      });
      expect(guard.beforeRecord('131', '132')).to.deep.equal({ kind: 'handle' });
    });

    it('lets the batches that follow within the slack go without a commit, then bounds the next guard by its batch', () => {
      const guard = PartitionCrashGuard.takeOver(self, maxCrashes, '0', undefined);
      guard.beforeRecord('0', '10');
      const end = 10 + slack;
      expect(guard.beforeRecord('10', '20')).to.deep.equal({ kind: 'handle' });
      expect(guard.beforeRecord(String(end - 1), String(end + 5))).to.deep.equal({
        kind: 'handle',
      });
      expect(guard.beforeRecord(String(end), String(end + 5))).to.deep.equal({
        kind: 'mark',
        metadata: { owner: self, guard: String(end + 5 + slack) },
      });
    });

    it('compares offsets as numbers, not as text', () => {
      const guard = PartitionCrashGuard.takeOver(self, maxCrashes, '9', undefined);
      guard.beforeRecord('9', far);
      expect(guard.beforeRecord('10', far)).to.deep.equal({ kind: 'handle' });
    });

    it('drops the guard at a clean end, so the next owner need not be careful', () => {
      const guard = PartitionCrashGuard.takeOver(self, maxCrashes, '0', undefined);
      guard.beforeRecord('0', far);
      expect(guard.endMetadata()).to.deep.equal({ owner: self });
      expect(guard.beforeRecord('1', far).kind).to.equal('mark');
    });

    it('trusts its own marks: this instance is alive, so they tell of no crash', () => {
      const guard = PartitionCrashGuard.takeOver(self, maxCrashes, '5', {
        owner: self,
        guard: '500',
        attempt: { offset: '5', crashes: 2 },
      });
      expect(guard.careful).to.equal(false);
      expect(guard.beforeRecord('5', far)).to.deep.equal({ kind: 'handle' });
    });

    it('ignores a guard the committed offset has already passed', () => {
      const guard = PartitionCrashGuard.takeOver(self, maxCrashes, '600', {
        owner: previous,
        guard: '500',
      });
      expect(guard.careful).to.equal(false);
    });
  });

  describe('after an owner ended without a clean commit', () => {
    it('marks every record of the suspect range before calling the handler, then returns to normal', () => {
      const guard = PartitionCrashGuard.takeOver(self, maxCrashes, '10', {
        owner: previous,
        guard: '12',
      });
      expect(guard.careful).to.equal(true);
      expect(guard.beforeRecord('10', far)).to.deep.equal({
        kind: 'mark',
        metadata: { owner: self, guard: '12', attempt: { offset: '10', crashes: 0 } },
      });
      expect(guard.beforeRecord('11', far)).to.deep.equal({
        kind: 'mark',
        metadata: { owner: self, guard: '12', attempt: { offset: '11', crashes: 0 } },
      });
      expect(guard.beforeRecord('12', far)).to.deep.equal({
        kind: 'mark',
        metadata: { owner: self, guard: String(12 + window) },
      });
      expect(guard.careful).to.equal(false);
    });

    it('counts one more crash for the record whose attempt mark is still at the committed offset', () => {
      const guard = PartitionCrashGuard.takeOver(self, maxCrashes, '11', {
        owner: previous,
        guard: '20',
        attempt: { offset: '11', crashes: 1 },
      });
      expect(guard.beforeRecord('11', far)).to.deep.equal({
        kind: 'mark',
        metadata: { owner: self, guard: '20', attempt: { offset: '11', crashes: 2 } },
      });
    });

    it('dead-letters the record once it has crashed the process the maximum number of times', () => {
      const guard = PartitionCrashGuard.takeOver(self, maxCrashes, '11', {
        owner: previous,
        guard: '20',
        attempt: { offset: '11', crashes: maxCrashes - 1 },
      });
      expect(guard.beforeRecord('11', far)).to.deep.equal({
        kind: 'dead-letter',
        crashes: maxCrashes,
      });
      expect(guard.beforeRecord('12', far)).to.deep.equal({
        kind: 'mark',
        metadata: { owner: self, guard: '20', attempt: { offset: '12', crashes: 0 } },
      });
    });

    it('keeps a careful stretch across a clean end: its crash is not explained yet', () => {
      const guard = PartitionCrashGuard.takeOver(self, maxCrashes, '10', {
        owner: previous,
        guard: '20',
      });
      guard.beforeRecord('10', far);
      expect(guard.endMetadata()).to.deep.equal({ owner: self, guard: '20' });
    });
  });
});
