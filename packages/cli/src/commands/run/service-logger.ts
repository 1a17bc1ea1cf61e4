import type { Logger } from '@ricochet/core';
import { createLogger } from '@ricochet/logger';
import { redactConfig, type ServiceConfig } from '@ricochet/service-config';
import type { CliIo } from '../../io.js';

/**
 * The service's logger, which first logs the settings it runs with: what an operator checks
 * first when a service misbehaves. Secrets are redacted; where each value came from is left to
 * `ricochet config check`.
 */
export function startServiceLogger(config: ServiceConfig, io: CliIo): Logger {
  const logger = createLogger({
    service: config.role,
    level: config.logLevel,
    format: config.logFormat,
    stream: io.stderr,
  });
  const { sources: _sources, ...settings } = redactConfig(config);
  logger.info('starting', { settings });
  return logger;
}
