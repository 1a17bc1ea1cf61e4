import { expect } from 'chai';
import type { PublishHealth } from '@ricochet/kafka';
import { publishStatus } from '@ricochet/kafka/internal';

const healthy: PublishHealth = {
  failingSince: undefined,
  lastFailedAt: undefined,
  lastError: undefined,
  publishing: false,
};

describe('publishStatus', () => {
  const timeout = 60_000;

  it('is ok while the last publish succeeded, publishing or not', () => {
    expect(publishStatus(healthy, 1_000_000, timeout)).to.deep.equal({ kind: 'ok' });
    expect(publishStatus({ ...healthy, publishing: true }, 1_000_000, timeout)).to.deep.equal({
      kind: 'ok',
    });
  });

  it('is failing while records wait after a failed publish, and stalled once that lasts the timeout', () => {
    const failing = { ...healthy, failingSince: 0, lastFailedAt: 0, publishing: true };
    expect(publishStatus(failing, timeout - 1, timeout)).to.deep.equal({
      kind: 'failing',
      since: 0,
    });
    expect(publishStatus(failing, timeout, timeout)).to.deep.equal({ kind: 'stalled', since: 0 });
  });

  it('is stalled when publishes kept failing for the timeout, even between two attempts', () => {
    const between = { ...healthy, failingSince: 0, lastFailedAt: timeout, publishing: false };
    expect(publishStatus(between, timeout + 1, timeout)).to.deep.equal({
      kind: 'stalled',
      since: 0,
    });
  });

  it('is ok when a publish failed but nothing waits to be published since', () => {
    const idle = { ...healthy, failingSince: 0, lastFailedAt: 0, publishing: false };
    expect(publishStatus(idle, 10 * timeout, timeout)).to.deep.equal({ kind: 'ok' });
  });
});
