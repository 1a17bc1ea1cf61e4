/**
 * The demo's handler, loaded by `ricochet run main --handler` exactly as a user's module is. Each
 * order says how it will behave, so the demo shows every path: most succeed, some fail for a
 * while (a flaky upstream), some always fail (poison), some are invalid (never retried).
 */
interface DemoRecord {
  readonly value: Buffer | null;
  readonly tryCount: number;
}

export interface DemoOrder {
  readonly id: number;
  readonly kind: 'ok' | 'flaky' | 'poison' | 'invalid';
  /** For `flaky`: how many attempts fail before one succeeds. */
  readonly failures: number;
}

class UpstreamTimeoutError extends Error {
  override name = 'UpstreamTimeoutError';
}

class ValidationError extends Error {
  override name = 'ValidationError';
}

export async function handler(record: DemoRecord): Promise<void> {
  const order = JSON.parse(record.value?.toString('utf8') ?? 'null') as DemoOrder;
  switch (order.kind) {
    case 'ok':
      return;
    case 'flaky':
      if (record.tryCount < order.failures) {
        throw new UpstreamTimeoutError(`payment service timed out for order ${order.id}`);
      }
      return;
    case 'poison':
      throw new TypeError(
        `Cannot read properties of undefined (reading 'address') in order ${order.id}`,
      );
    case 'invalid':
      throw new ValidationError(`order ${order.id} has a negative quantity`);
  }
}

/** Invalid orders will never pass: send them straight to the dead-letter topic. */
export function classify(error: unknown): 'non-retryable' | undefined {
  return error instanceof Error && error.name === 'ValidationError' ? 'non-retryable' : undefined;
}
