import { expect } from 'chai';
import type { ConsumedRecord } from '@ricochet/core';
import type { BatchConsumed, ConsumedBatch } from '@ricochet/kafka';
import { observeBatch } from '@ricochet/kafka/internal';

function fakeBatch(): { batch: ConsumedBatch; resolved: string[] } {
  const resolved: string[] = [];
  const record = (offset: string): ConsumedRecord => ({
    topic: 'orders',
    partition: 2,
    offset,
    timestamp: '0',
    key: null,
    value: null,
    headers: {},
  });
  const batch: ConsumedBatch = {
    topic: 'orders',
    partition: 2,
    highWatermark: '10',
    readToEnd: false,
    records: [record('5'), record('6'), record('8')],
    resolve: (offset) => void resolved.push(offset),
    heartbeat: async () => {},
    isCurrent: () => true,
  };
  return { batch, resolved };
}

async function observe(
  batch: ConsumedBatch,
  eachBatch: (observed: ConsumedBatch) => Promise<void>,
): Promise<{ events: BatchConsumed[]; error: unknown }> {
  const events: BatchConsumed[] = [];
  try {
    await observeBatch(batch, eachBatch, (event) => events.push(event));
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

describe('observeBatch', () => {
  it('counts the records resolved and measures lag from the next one to hand on', async () => {
    const { batch, resolved } = fakeBatch();
    const { events } = await observe(batch, async (observed) => {
      observed.resolve('5');
      observed.resolve('6');
    });
    expect(resolved).to.deep.equal(['5', '6']);
    expect(events).to.deep.equal([
      { type: 'consumed', topic: 'orders', partition: 2, records: 2, lag: 3 },
    ]);
  });

  it('counts records, not offsets, across gaps, and reports no lag at the high watermark', async () => {
    const { batch } = fakeBatch();
    const { events } = await observe(batch, async (observed) => observed.resolve('8'));
    expect(events).to.deep.equal([
      { type: 'consumed', topic: 'orders', partition: 2, records: 3, lag: 1 },
    ]);
  });

  it('measures lag from the first record when nothing was handed on (a hold)', async () => {
    const { batch } = fakeBatch();
    const { events } = await observe(batch, async () => {});
    expect(events).to.deep.equal([
      { type: 'consumed', topic: 'orders', partition: 2, records: 0, lag: 5 },
    ]);
  });

  it('reports what was handed on before the batch failed', async () => {
    const { batch } = fakeBatch();
    const { events, error } = await observe(batch, async (observed) => {
      observed.resolve('5');
      throw new Error('publish refused');
    });
    expect((error as Error).message).to.equal('publish refused');
    expect(events).to.deep.equal([
      { type: 'consumed', topic: 'orders', partition: 2, records: 1, lag: 4 },
    ]);
  });
});
