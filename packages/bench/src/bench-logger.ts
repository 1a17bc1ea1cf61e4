import type { Logger } from '@ricochet/core';
import { testLogger } from '@ricochet/testing';

/** Warnings and errors of every component, on standard error; RICOCHET_BENCH_LOG_LEVEL for more. */
export function benchLogger(service: string): Logger {
  return testLogger(service, { levelVariable: 'RICOCHET_BENCH_LOG_LEVEL', defaultLevel: 'warn' });
}
