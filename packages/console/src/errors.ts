import { RicochetError } from '@ricochet/core';

/** A request the console refuses with a status and a message for people. */
export class ConsoleRequestError extends RicochetError {
  readonly statusCode: number;

  constructor(statusCode: number, message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'CONSOLE_REQUEST', cause: options.cause });
    this.statusCode = statusCode;
  }
}
