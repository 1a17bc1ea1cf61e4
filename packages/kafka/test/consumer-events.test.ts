import { expect } from 'chai';
import {
  observeBatch,
  type BatchConsumed,
  type CommitFailed,
  type EachBatchPayload,
} from '@ricochet/kafka';

function fakePayload(options: { commitError?: Error } = {}) {
  const resolved: string[] = [];
  const committed: unknown[] = [];
  const payload = {
    batch: {
      topic: 'orders',
      partition: 2,
      highWatermark: '10',
      messages: [{ offset: '5' }, { offset: '6' }, { offset: '8' }],
    },
    resolveOffset: (offset: string) => void resolved.push(offset),
    commitOffsetsIfNecessary: async (offsets?: unknown) => {
      if (options.commitError !== undefined) {
        throw options.commitError;
      }
      committed.push(offsets);
    },
    heartbeat: async () => {},
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
  return { payload, resolved, committed };
}

async function observe(
  payload: EachBatchPayload,
  eachBatch: (observed: EachBatchPayload) => Promise<void>,
): Promise<{ events: Array<BatchConsumed | CommitFailed>; error: unknown }> {
  const events: Array<BatchConsumed | CommitFailed> = [];
  try {
    await observeBatch(payload, eachBatch, (event) => events.push(event));
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

describe('observeBatch', () => {
  it('counts the records resolved and measures lag from the next one to hand on', async () => {
    const { payload, resolved, committed } = fakePayload();
    const { events } = await observe(payload, async (observed) => {
      observed.resolveOffset('5');
      observed.resolveOffset('6');
      await observed.commitOffsetsIfNecessary();
    });
    expect(resolved).to.deep.equal(['5', '6']);
    expect(committed).to.have.length(1);
    expect(events).to.deep.equal([
      { type: 'consumed', topic: 'orders', partition: 2, records: 2, lag: 3 },
    ]);
  });

  it('counts records, not offsets, across gaps, and reports no lag at the high watermark', async () => {
    const { payload } = fakePayload();
    const { events } = await observe(payload, async (observed) => observed.resolveOffset('8'));
    expect(events).to.deep.equal([
      { type: 'consumed', topic: 'orders', partition: 2, records: 3, lag: 1 },
    ]);
  });

  it('measures lag from the first record when nothing was handed on (a hold)', async () => {
    const { payload } = fakePayload();
    const { events } = await observe(payload, async () => {});
    expect(events).to.deep.equal([
      { type: 'consumed', topic: 'orders', partition: 2, records: 0, lag: 5 },
    ]);
  });

  it('reports a refused commit and rethrows the same error, then still reports the batch', async () => {
    const refused = new Error('not the coordinator');
    const { payload } = fakePayload({ commitError: refused });
    const { events, error } = await observe(payload, async (observed) => {
      observed.resolveOffset('5');
      await observed.commitOffsetsIfNecessary();
    });
    expect(error).to.equal(refused);
    expect(events).to.deep.equal([
      { type: 'commit-failed', topic: 'orders', partition: 2, error: refused },
      { type: 'consumed', topic: 'orders', partition: 2, records: 1, lag: 4 },
    ]);
  });

  it('reports what was handed on before the batch failed', async () => {
    const { payload } = fakePayload();
    const { events, error } = await observe(payload, async (observed) => {
      observed.resolveOffset('5');
      throw new Error('publish refused');
    });
    expect((error as Error).message).to.equal('publish refused');
    expect(events).to.deep.equal([
      { type: 'consumed', topic: 'orders', partition: 2, records: 1, lag: 4 },
    ]);
  });
});
