/** Structured fields attached to a log line (topic, partition, offset, tier, error, ...). */
export type LogFields = Record<string, unknown>;

/**
 * The logging interface every Ricochet component is handed. Services back it with winston
 * (@ricochet/logger); embedders may pass their own.
 */
export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}
