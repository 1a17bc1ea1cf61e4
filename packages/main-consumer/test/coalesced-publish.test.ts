import { expect } from 'chai';
import type { OutgoingRecord } from '@ricochet/core';
import { coalescedPublish } from '../src/coalesced-publish.js';

function record(name: string): OutgoingRecord {
  return { topic: 'state', key: Buffer.from(name), value: null, headers: {} };
}

function names(records: readonly OutgoingRecord[]): string[] {
  return records.map((one) => one.key!.toString());
}

/** A publish whose requests are acknowledged (or refused) when the test says. */
function heldPublish() {
  const requests: { names: string[]; settle: (error?: Error) => void }[] = [];
  const publish = (records: readonly OutgoingRecord[]) =>
    new Promise<void>((resolve, reject) => {
      requests.push({
        names: names(records),
        settle: (error) => (error === undefined ? resolve() : reject(error)),
      });
    });
  return { requests, publish };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('coalescedPublish', () => {
  it('sends the calls made while a request is in flight in one request, in call order', async () => {
    const { requests, publish } = heldPublish();
    const coalesced = coalescedPublish(publish);
    const done: string[] = [];
    const first = coalesced([record('a')]).then(() => done.push('a'));
    const second = coalesced([record('b'), record('c')]).then(() => done.push('b'));
    const third = coalesced([record('d')]).then(() => done.push('d'));
    await turn();
    expect(requests.map((request) => request.names)).to.deep.equal([['a']]);
    requests[0]!.settle();
    await first;
    await turn();
    expect(done).to.deep.equal(['a']);
    expect(requests.map((request) => request.names)).to.deep.equal([['a'], ['b', 'c', 'd']]);
    requests[1]!.settle();
    await Promise.all([second, third]);
    expect(done).to.deep.equal(['a', 'b', 'd']);
  });

  it('resolves no call before its own records are acknowledged', async () => {
    const { requests, publish } = heldPublish();
    const coalesced = coalescedPublish(publish);
    let acknowledged = false;
    void coalesced([record('a')]);
    const later = coalesced([record('b')]).then(() => {
      acknowledged = true;
    });
    requests[0]!.settle();
    await turn();
    expect(acknowledged).to.equal(false);
    requests[1]!.settle();
    await later;
    expect(acknowledged).to.equal(true);
  });

  it('publishes a failed request of several calls again call by call: each hears of its own failure', async () => {
    const { requests, publish } = heldPublish();
    const coalesced = coalescedPublish(publish);
    void coalesced([record('a')]);
    const good = coalesced([record('b')]);
    const bad = coalesced([record('c')]).then(
      () => 'sent',
      (error: Error) => error.message,
    );
    requests[0]!.settle();
    await turn();
    requests[1]!.settle(new Error('refused'));
    await turn();
    expect(requests.slice(2).map((request) => request.names)).to.deep.equal([['b']]);
    requests[2]!.settle();
    await good;
    await turn();
    expect(requests.slice(3).map((request) => request.names)).to.deep.equal([['c']]);
    requests[3]!.settle(new Error('too large'));
    expect(await bad).to.equal('too large');
  });

  it('sends a call made once all are acknowledged at once', async () => {
    const { requests, publish } = heldPublish();
    const coalesced = coalescedPublish(publish);
    const first = coalesced([record('a')]);
    requests[0]!.settle();
    await first;
    await turn();
    void coalesced([record('b')]);
    expect(requests.map((request) => request.names)).to.deep.equal([['a'], ['b']]);
  });
});
