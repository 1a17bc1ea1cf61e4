import type { OutgoingRecord } from '@ricochet/core';
import type { DemoOrder } from './sample-handler.js';

/** Shares of each kind of order, in percent; the rest succeed at once. */
const flakyPercent = 10;
const poisonPercent = 2;
const invalidPercent = 3;

/** The n-th demo order: deterministic, so a run can be reasoned about afterwards. */
export function demoOrder(id: number): DemoOrder {
  const slot = (id * 37) % 100;
  if (slot < flakyPercent) {
    return { id, kind: 'flaky', failures: 1 + (id % 2) };
  }
  if (slot < flakyPercent + poisonPercent) {
    return { id, kind: 'poison', failures: 0 };
  }
  if (slot < flakyPercent + poisonPercent + invalidPercent) {
    return { id, kind: 'invalid', failures: 0 };
  }
  return { id, kind: 'ok', failures: 0 };
}

export function demoRecord(topic: string, id: number): OutgoingRecord {
  const order = demoOrder(id);
  return {
    topic,
    key: Buffer.from(`order-${id}`),
    value: Buffer.from(JSON.stringify(order)),
    headers: { source: 'ricochet-demo' },
  };
}
