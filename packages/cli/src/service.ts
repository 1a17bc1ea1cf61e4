import type { Logger } from '@ricochet/core';
import { ServiceStartAbandonedError } from '@ricochet/kafka';
import { ExitCode, exitCodeFor, type ExitCodeValue } from './exit-codes.js';

/** What `ricochet run ...` needs of a role: each role exposes its own lifecycle state. */
export interface RunnableService {
  start(): Promise<void>;
  /**
   * Also called while start() is under way: it then ends the start, which rejects with
   * ServiceStartAbandonedError (ServiceLifecycle does both).
   */
  stop(): Promise<void>;
  readonly state: string;
  readonly failure: unknown;
}

type SignalListener = (signal: NodeJS.Signals) => void;

/** The parts of `process` a running service uses; tests pass their own. */
export interface ProcessControl {
  on(signal: NodeJS.Signals, listener: SignalListener): unknown;
  off(signal: NodeJS.Signals, listener: SignalListener): unknown;
  /**
   * Ends the process, whatever sockets and timers are still open: those of a stop that did not
   * finish, or those the Kafka client left behind after one that did (it keeps a consumer group's
   * coordinator connection open after a broker restart). Safe for the data: nothing is
   * committed past what was handled, so the group redelivers.
   */
  exit(code: ExitCodeValue): void;
}

export interface RunOptions {
  /** How long a stop may take after SIGTERM or SIGINT before the process exits anyway. */
  readonly shutdownTimeoutMs: number;
  readonly process?: ProcessControl;
  /** How often a running service is checked for a crash it will not recover from. */
  readonly failureCheckIntervalMs?: number;
}

const signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** Long enough for the logger to write the line that says why the process is exiting. */
const exitDelayMilliseconds = 100;

export const realProcess: ProcessControl = {
  on: (signal, listener) => process.on(signal, listener),
  off: (signal, listener) => process.off(signal, listener),
  exit: (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), exitDelayMilliseconds).unref();
  },
};

/** The listener `exitOnSignalUntilRunning` installed, until `runUntilSignalled` takes over. */
let beforeRunning:
  | { readonly listener: SignalListener; readonly control: ProcessControl; signalled: boolean }
  | undefined;

/**
 * From the start of a `ricochet run` command until `runUntilSignalled` listens (the settings read,
 * the handler module loaded, the clients made): a SIGTERM or SIGINT then, such as a supervisor
 * scaling down an instance it has just started, would kill the process by the signal, which the
 * supervisor counts as an unclean exit. Nothing is connected yet, so there is nothing to stop: the
 * process exits 0, as a stop would, and the service is never started.
 */
export function exitOnSignalUntilRunning(
  logger: Logger,
  control: ProcessControl = realProcess,
): void {
  const guard = {
    control,
    signalled: false,
    listener: (signal: NodeJS.Signals): void => {
      if (guard.signalled) {
        return;
      }
      guard.signalled = true;
      logger.info('signal before the service started: exiting', { signal });
      control.exit(ExitCode.success);
    },
  };
  signals.forEach((signal) => control.on(signal, guard.listener));
  beforeRunning = guard;
}

/** Ends `exitOnSignalUntilRunning`'s watch; whether a signal came meanwhile. */
function signalledBeforeRunning(): boolean {
  const guard = beforeRunning;
  if (guard === undefined) {
    return false;
  }
  beforeRunning = undefined;
  signals.forEach((signal) => guard.control.off(signal, guard.listener));
  return guard.signalled;
}

/** The error a service's start rejects with when a stop cut it short (by code: see exit-codes.ts). */
function isStartAbandoned(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === ServiceStartAbandonedError.code;
}

/**
 * Starts a service and keeps it running until SIGTERM or SIGINT, then stops it: exit 0 when the
 * stop completes within `shutdownTimeoutMs`, else exit 1 without waiting further; a second signal
 * exits at once. A signal during start-up stops the service there and then: the start is
 * abandoned (a service still connecting to an unreachable broker would otherwise hold the
 * process until its client gave up, past a supervisor's grace). A service that fails to start
 * without a signal rejects, and one that fails for good exits 1, so that a supervisor restarts
 * it. Each way, the process ends then: a finished service must not linger on a handle left open.
 */
export async function runUntilSignalled(
  service: RunnableService,
  logger: Logger,
  options: RunOptions,
): Promise<ExitCodeValue> {
  const control = options.process ?? realProcess;
  if (signalledBeforeRunning()) {
    // The process is already exiting 0: the service is not started at all.
    return ExitCode.success;
  }
  return new Promise<ExitCodeValue>((resolve, reject) => {
    let starting = true;
    let stopping = false;
    let finished = false;
    let shutdownTimer: NodeJS.Timeout | undefined;
    let failureCheck: NodeJS.Timeout | undefined;
    const stopListening = (): void => signals.forEach((signal) => control.off(signal, onSignal));
    const finish = (code: ExitCodeValue): void => {
      if (finished) {
        return;
      }
      finished = true;
      clearInterval(failureCheck);
      clearTimeout(shutdownTimer);
      stopListening();
      control.exit(code);
      resolve(code);
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.error(
          'second signal while stopping: exiting now; uncommitted records will be redelivered',
          { signal },
        );
        finish(ExitCode.failure);
        return;
      }
      stopping = true;
      logger.info(starting ? 'signal while starting: abandoning the start' : 'stopping on signal', {
        signal,
        shutdownTimeoutMs: options.shutdownTimeoutMs,
      });
      shutdownTimer = setTimeout(() => {
        logger.error('did not stop in time: exiting; uncommitted records will be redelivered', {
          shutdownTimeoutMs: options.shutdownTimeoutMs,
        });
        finish(ExitCode.failure);
      }, options.shutdownTimeoutMs);
      service.stop().then(
        () => finish(ExitCode.success),
        (error: unknown) => {
          logger.error('stopping failed', { error });
          // A half-stopped client may hold sockets open that would keep the process alive.
          finish(ExitCode.failure);
        },
      );
    };
    // Listening from the start: without a listener, a SIGTERM during start-up (a rollout, a
    // supervisor giving up on readiness) would kill the process outright instead of stopping it.
    signals.forEach((signal) => control.on(signal, onSignal));
    service.start().then(
      () => {
        starting = false;
        if (stopping) {
          return;
        }
        failureCheck = setInterval(() => {
          if (service.state === 'failed') {
            logger.error('service failed', { error: service.failure });
            // 2 when the failure is one the operator must fix first (an ACL the broker refused).
            finish(exitCodeFor(service.failure));
          }
        }, options.failureCheckIntervalMs ?? 1_000);
      },
      (error: unknown) => {
        starting = false;
        if (!stopping) {
          stopListening();
          reject(error);
        } else if (isStartAbandoned(error)) {
          logger.info('start abandoned on signal', { error });
        } else {
          // The stop under way decides the exit; the failure is still worth an operator's look.
          logger.warn('start failed while stopping on signal', { error });
        }
      },
    );
  });
}
