/**
 * @ricochet/logger: Ricochet's Logger backed by winston. JSON lines for services, a readable
 * single-line format for terminals.
 *
 * @example
 * ```ts
 * import { createLogger } from '@ricochet/logger';
 *
 * const logger = createLogger({ service: 'delay', level: 'info', format: 'json' });
 * logger.child({ tier: 'retry-5s' }).info('holding record', { partition: 0, offset: '42' });
 * ```
 */
import winston from 'winston';
import {
  escapeTerminalJson,
  escapeTerminalText,
  type LogFields,
  type Logger,
} from '@ricochet/core';

export const logLevels = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof logLevels)[number];
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  /** The service name stamped on every line (`main`, `delay`, `dlq`, `cli`, ...). */
  service: string;
  level: LogLevel;
  format: LogFormat;
  /** Where lines go; standard error by default so that standard output stays for results. */
  stream?: NodeJS.WritableStream;
}

/** Errors in fields become plain objects: winston's JSON would otherwise print `{}`. */
const serializeErrors = winston.format((info) => {
  for (const [key, value] of Object.entries(info)) {
    if (value instanceof Error) {
      info[key] = {
        name: value.name,
        message: value.message,
        stack: value.stack,
        cause: describeCause(value.cause),
      };
    }
  }
  return info;
});

function describeCause(cause: unknown): unknown {
  return cause instanceof Error ? { name: cause.name, message: cause.message } : cause;
}

// Messages and fields can carry what a record carried (a topic, an error message): what a
// terminal would act on is escaped. The level keeps the colours colorize() gave it.
const prettyLine = winston.format.printf(({ level, message, timestamp, service, ...fields }) => {
  const extra =
    Object.keys(fields).length === 0 ? '' : ` ${escapeTerminalJson(JSON.stringify(fields))}`;
  return `${String(timestamp)} ${level} [${escapeTerminalText(String(service))}] ${escapeTerminalText(String(message))}${extra}`;
});

const messageSymbol = Symbol.for('message');

/** The JSON line, with what JSON leaves raw but a terminal acts on escaped (still the same JSON). */
const terminalSafeJson = winston.format((info) => {
  const line = (info as Record<symbol, unknown>)[messageSymbol];
  if (typeof line === 'string') {
    (info as Record<symbol, unknown>)[messageSymbol] = escapeTerminalJson(line);
  }
  return info;
});

class WinstonLogger implements Logger {
  readonly #logger: winston.Logger;
  // Asked of winston once: it formats a line (timestamp, colours, error fields) before its
  // transport drops it for its level, asking costs almost as much, and the consumers log at
  // debug per record. The level is fixed when the logger is created.
  readonly #errorEnabled: boolean;
  readonly #warnEnabled: boolean;
  readonly #infoEnabled: boolean;
  readonly #debugEnabled: boolean;

  constructor(logger: winston.Logger) {
    this.#logger = logger;
    this.#errorEnabled = logger.isErrorEnabled();
    this.#warnEnabled = logger.isWarnEnabled();
    this.#infoEnabled = logger.isInfoEnabled();
    this.#debugEnabled = logger.isDebugEnabled();
  }

  error(message: string, fields: LogFields = {}): void {
    if (this.#errorEnabled) {
      this.#logger.error(message, fields);
    }
  }
  warn(message: string, fields: LogFields = {}): void {
    if (this.#warnEnabled) {
      this.#logger.warn(message, fields);
    }
  }
  info(message: string, fields: LogFields = {}): void {
    if (this.#infoEnabled) {
      this.#logger.info(message, fields);
    }
  }
  debug(message: string, fields: LogFields = {}): void {
    if (this.#debugEnabled) {
      this.#logger.debug(message, fields);
    }
  }
  child(fields: LogFields): Logger {
    return new WinstonLogger(this.#logger.child(fields));
  }
}

export function createLogger(options: LoggerOptions): Logger {
  const format =
    options.format === 'json'
      ? winston.format.combine(
          winston.format.timestamp(),
          serializeErrors(),
          winston.format.json(),
          terminalSafeJson(),
        )
      : winston.format.combine(
          winston.format.timestamp(),
          serializeErrors(),
          winston.format.colorize(),
          prettyLine,
        );
  const logger = winston.createLogger({
    level: options.level,
    defaultMeta: { service: options.service },
    format,
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stderr })],
  });
  return new WinstonLogger(logger);
}
