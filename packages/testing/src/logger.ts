import type { Logger } from '@ricochet/core';
import { createLogger, logLevels, type LogLevel } from '@ricochet/logger';

export interface TestLoggerOptions {
  /** The environment variable that raises or lowers the level. Default RICOCHET_TEST_LOG_LEVEL. */
  readonly levelVariable?: string;
  /** The level when the variable is unset (or not a level). Default `error`. */
  readonly defaultLevel?: LogLevel;
}

/** Quiet by default; RICOCHET_TEST_LOG_LEVEL=debug shows everything the components log. */
export function testLogger(service: string, options: TestLoggerOptions = {}): Logger {
  const defaultLevel = options.defaultLevel ?? 'error';
  const requested = process.env[options.levelVariable ?? 'RICOCHET_TEST_LOG_LEVEL'] ?? defaultLevel;
  const level: LogLevel = (logLevels as readonly string[]).includes(requested)
    ? (requested as LogLevel)
    : defaultLevel;
  return createLogger({ service, level, format: 'pretty' });
}
