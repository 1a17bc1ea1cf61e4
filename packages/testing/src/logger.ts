import type { Logger } from '@ricochet/core';
import { createLogger, logLevels, type LogLevel } from '@ricochet/logger';

/** Quiet by default; RICOCHET_TEST_LOG_LEVEL=debug shows everything the components log. */
export function testLogger(service: string): Logger {
  const requested = process.env.RICOCHET_TEST_LOG_LEVEL ?? 'error';
  const level: LogLevel = (logLevels as readonly string[]).includes(requested)
    ? (requested as LogLevel)
    : 'error';
  return createLogger({ service, level, format: 'pretty' });
}
