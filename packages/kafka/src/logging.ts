import kafkajs from 'kafkajs';
import type { Logger } from '@ricochet/core';

const { logLevel: KafkaLogLevel } = kafkajs;

/** Routes kafkajs's own log lines through Ricochet's logger, keeping their structured fields. */
export function kafkaLogCreator(logger: Logger): kafkajs.logCreator {
  return () =>
    ({ level, log }) => {
      const { message, timestamp: _timestamp, logger: _source, ...fields } = log;
      const text = `kafkajs: ${message}`;
      switch (level) {
        case KafkaLogLevel.ERROR:
          logger.error(text, fields);
          break;
        case KafkaLogLevel.WARN:
          logger.warn(text, fields);
          break;
        case KafkaLogLevel.INFO:
          logger.info(text, fields);
          break;
        default:
          logger.debug(text, fields);
      }
    };
}
