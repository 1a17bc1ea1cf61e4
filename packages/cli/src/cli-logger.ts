import type { Logger } from '@ricochet/core';
import { createLogger } from '@ricochet/logger';

/** Drops everything: the command reports failures itself, with their causes. */
const silentLogger: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silentLogger,
};

/**
 * The logger handed to the Kafka client. Silent unless `verbose`: the client logs every failed
 * connection attempt, which would bury the one line that says what went wrong.
 */
export function cliLogger(verbose: boolean, stderr: NodeJS.WritableStream): Logger {
  return verbose
    ? createLogger({ service: 'cli', level: 'debug', format: 'pretty', stream: stderr })
    : silentLogger;
}
