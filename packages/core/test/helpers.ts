import { expect } from 'chai';
import {
  ConfigError,
  RetryHeader,
  type HeaderValue,
  type OriginalPosition,
  type RecordHeaders,
  type RetryContract,
} from '@ricochet/core';

export { requiredRetryHeaders as requiredHeaders } from '@ricochet/core/internal';

export const optionalHeaders = [
  RetryHeader.errorClass,
  RetryHeader.errorMessage,
  RetryHeader.errorStack,
] as const;

/** The largest time a JavaScript Date can hold, the contract's bound for epoch milliseconds. */
export const maxEpochMilliseconds = 8_640_000_000_000_000;
export const maxInt64 = 2n ** 63n - 1n;

export const originalPosition: OriginalPosition = {
  topic: 'orders',
  partition: 3,
  offset: '42',
  timestamp: 1_700_000_000_000,
};

export function sampleContract(overrides: Partial<RetryContract> = {}): RetryContract {
  return {
    tryCount: 1,
    original: originalPosition,
    retryGroup: 'billing',
    dueAt: 1_700_000_005_000,
    error: { className: 'Error', message: 'timeout', stack: 'Error: timeout\n    at handler' },
    firstFailureAt: 1_700_000_000_100,
    lastFailureAt: 1_700_000_000_100,
    ...overrides,
  };
}

/** Headers as a Kafka client hands them over: every value a Buffer of UTF-8 bytes. */
export function asBuffers(headers: Record<string, string>): Record<string, HeaderValue> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Buffer.from(value, 'utf8')]),
  );
}

export function withHeader(
  headers: RecordHeaders,
  name: string,
  value: HeaderValue | HeaderValue[] | undefined,
): RecordHeaders {
  return { ...headers, [name]: value };
}

/** True when the string has no lone surrogate, i.e. encodes to UTF-8 without a U+FFFD. */
export function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** Runs `action`, asserts it throws a ConfigError, and returns the error for further checks. */
export function expectConfigError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  expect.fail('expected a ConfigError, but nothing was thrown');
}
