import type { Logger } from '@ricochet/core';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/** What `ricochet run ...` needs of a role: each role exposes its own lifecycle state. */
export interface RunnableService {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly state: string;
  readonly failure: unknown;
}

/** How often a running service is checked for a crash it will not recover from. */
const failureCheckIntervalMilliseconds = 1_000;

/**
 * Starts a service and keeps it running until SIGTERM or SIGINT (then stops it cleanly: exit 0),
 * or until it fails for good (exit 1, so a supervisor restarts it).
 */
export async function runUntilSignalled(
  service: RunnableService,
  logger: Logger,
): Promise<ExitCodeValue> {
  await service.start();
  return new Promise<ExitCodeValue>((resolve) => {
    const finish = (code: ExitCodeValue): void => {
      clearInterval(failureCheck);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(code);
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      logger.info('stopping on signal', { signal });
      service.stop().then(
        () => finish(ExitCode.success),
        (error: unknown) => {
          logger.error('stopping failed', { error });
          finish(ExitCode.failure);
        },
      );
    };
    const failureCheck = setInterval(() => {
      if (service.state === 'failed') {
        logger.error('service failed', { error: service.failure });
        finish(ExitCode.failure);
      }
    }, failureCheckIntervalMilliseconds);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}
