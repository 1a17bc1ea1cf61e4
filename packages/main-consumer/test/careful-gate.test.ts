import { expect } from 'chai';
import { CarefulGate } from '../src/careful-gate.js';

describe('CarefulGate', () => {
  it('starts a careful record only once the records in hand elsewhere are done, and none during it', async () => {
    const gate = new CarefulGate();
    const events: string[] = [];
    gate.enter();
    const careful = gate.alone(async () => {
      events.push('careful starts');
      expect(gate.closed).to.not.equal(undefined);
      await new Promise((resolve) => setTimeout(resolve, 10));
      events.push('careful ends');
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    events.push('ordinary ends');
    gate.leave();
    const closed = gate.closed;
    expect(closed).to.not.equal(undefined);
    await closed;
    events.push('next ordinary starts');
    await careful;
    expect(events).to.deep.equal([
      'ordinary ends',
      'careful starts',
      'careful ends',
      'next ordinary starts',
    ]);
    expect(gate.closed).to.equal(undefined);
  });

  it('runs careful records one at a time, and opens again when one throws', async () => {
    const gate = new CarefulGate();
    const events: string[] = [];
    const first = gate.alone(async () => {
      events.push('first');
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push('first throws');
      throw new Error('publish failed');
    });
    const second = gate.alone(async () => {
      events.push('second');
    });
    const failure = await first.then(
      () => undefined,
      (error: unknown) => error,
    );
    await second;
    expect(failure).to.be.instanceOf(Error);
    expect(events).to.deep.equal(['first', 'first throws', 'second']);
    expect(gate.closed).to.equal(undefined);
  });

  // A key-strict drain step waits on `closed` as an ordinary record does: it must wait only while
  // a careful record is in hand, not for a whole careful stretch of records one after another.
  it('lets a record waiting on the gate start between two careful records of a stretch', async () => {
    const gate = new CarefulGate();
    const events: string[] = [];
    const careful = async (name: string) => {
      events.push(`${name} starts`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`${name} ends`);
    };
    const stretch = (async () => {
      await gate.alone(() => careful('careful 1'));
      await gate.alone(() => careful('careful 2'));
    })();
    const waiting = (async () => {
      for (let closed = gate.closed; closed !== undefined; closed = gate.closed) {
        await closed;
      }
      gate.enter();
      events.push('drain step starts');
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push('drain step ends');
      gate.leave();
    })();
    await Promise.all([stretch, waiting]);
    expect(events).to.deep.equal([
      'careful 1 starts',
      'careful 1 ends',
      'drain step starts',
      'drain step ends',
      'careful 2 starts',
      'careful 2 ends',
    ]);
  });

  it('counts a record in hand until its processing settles, thrown synchronously or not', async () => {
    const gate = new CarefulGate();
    const events: string[] = [];
    expect(gate.inHand(() => 'handled synchronously')).to.equal('handled synchronously');
    expect(() =>
      gate.inHand(() => {
        throw new Error('the handler threw');
      }),
    ).to.throw('the handler threw');
    const running = gate.inHand(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      events.push('ordinary ends');
    });
    await gate.alone(async () => {
      events.push('careful starts');
    });
    await running;
    expect(events).to.deep.equal(['ordinary ends', 'careful starts']);
  });
});
