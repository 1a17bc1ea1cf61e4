import kafkajs from 'kafkajs';
import type { Logger } from '@ricochet/core';

const { logLevel: KafkaLogLevel } = kafkajs;

/**
 * kafkajs logs every error response from a broker at ERROR, including the ones it retries as a
 * matter of course (a coordinator still loading, a leader moving). Those that matter reach the
 * caller as a thrown error and are logged there; the raw response lines are warnings.
 */
const brokerResponseLine = /^Response /;

/** kafkajs warns on every start that bounded producer retries weaken exactly-once; Ricochet
 * promises at-least-once and bounds them on purpose (see producer.ts). */
const expectedWarning =
  'Limiting retries for the idempotent producer may invalidate EoS guarantees';

function levelFor(level: kafkajs.logLevel, message: string): 'error' | 'warn' | 'info' | 'debug' {
  if (level === KafkaLogLevel.ERROR) {
    return brokerResponseLine.test(message) ? 'warn' : 'error';
  }
  if (level === KafkaLogLevel.WARN) {
    return message === expectedWarning ? 'debug' : 'warn';
  }
  return level === KafkaLogLevel.INFO ? 'info' : 'debug';
}

/** Routes kafkajs's own log lines through Ricochet's logger, keeping their structured fields. */
export function kafkaLogCreator(logger: Logger): kafkajs.logCreator {
  return () =>
    ({ level, log }) => {
      const { message, timestamp: _timestamp, logger: _source, ...fields } = log;
      logger[levelFor(level, message)](`kafkajs: ${message}`, fields);
    };
}
