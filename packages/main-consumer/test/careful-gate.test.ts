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
});
