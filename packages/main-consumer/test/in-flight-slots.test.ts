import { expect } from 'chai';
import { InFlightSlots } from '../src/in-flight-slots.js';

describe('InFlightSlots', () => {
  it('hands out free slots at once, without a promise, up to the limit', () => {
    const slots = new InFlightSlots(2);
    expect(slots.acquire()).to.equal(undefined);
    expect(slots.acquire()).to.equal(undefined);
    expect(slots.inUse).to.equal(2);
    expect(slots.acquire()).to.be.instanceOf(Promise);
    expect(slots.inUse).to.equal(2);
  });

  it('gives a released slot to the waiters first come first served, never beyond the limit', async () => {
    const slots = new InFlightSlots(1);
    expect(slots.acquire()).to.equal(undefined);
    const order: string[] = [];
    const first = slots.acquire()!.then(() => order.push('first'));
    const second = slots.acquire()!.then(() => order.push('second'));
    expect(slots.acquire(), 'a newcomer queues behind the waiters').to.be.instanceOf(Promise);
    slots.release();
    await first;
    expect(order).to.deep.equal(['first']);
    expect(slots.inUse).to.equal(1);
    slots.release();
    await second;
    expect(order).to.deep.equal(['first', 'second']);
    expect(slots.inUse).to.equal(1);
  });
});

describe('InFlightSlots: records of the redelivery topic ahead', () => {
  it('gives a released slot to a waiter ahead before earlier waiters, never beyond the limit', async () => {
    const slots = new InFlightSlots(1);
    expect(slots.acquire()).to.equal(undefined);
    const order: string[] = [];
    const source = slots.acquire()!.then(() => order.push('source'));
    const ahead = slots.acquire(true)!.then(() => order.push('ahead'));
    slots.release();
    await ahead;
    expect(order).to.deep.equal(['ahead']);
    expect(slots.inUse).to.equal(1);
    slots.release();
    await source;
    expect(order).to.deep.equal(['ahead', 'source']);
  });

  it('takes a free slot at once, ahead or not, and queues a newcomer behind waiters ahead', () => {
    const slots = new InFlightSlots(2);
    expect(slots.acquire(true)).to.equal(undefined);
    expect(slots.acquire()).to.equal(undefined);
    expect(slots.acquire(true)).to.be.instanceOf(Promise);
    slots.release();
    expect(slots.inUse).to.equal(2);
    expect(slots.acquire(true), 'behind the waiter ahead').to.be.instanceOf(Promise);
  });

  it('leaves waiting source records at least one freed slot in every four under a flood of retries', async () => {
    const slots = new InFlightSlots(1, 3);
    expect(slots.acquire()).to.equal(undefined);
    const order: string[] = [];
    const waiters: Promise<unknown>[] = [];
    for (let index = 0; index < 2; index += 1) {
      waiters.push(slots.acquire()!.then(() => order.push(`source ${index}`)));
    }
    for (let index = 0; index < 8; index += 1) {
      waiters.push(slots.acquire(true)!.then(() => order.push(`ahead ${index}`)));
    }
    for (let index = 0; index < waiters.length; index += 1) {
      slots.release();
      await Promise.resolve();
    }
    await Promise.all(waiters);
    expect(order).to.deep.equal([
      'ahead 0',
      'ahead 1',
      'ahead 2',
      'source 0',
      'ahead 3',
      'ahead 4',
      'ahead 5',
      'source 1',
      'ahead 6',
      'ahead 7',
    ]);
    expect(slots.inUse).to.equal(1);
  });
});
