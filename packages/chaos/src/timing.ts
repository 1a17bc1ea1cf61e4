import { ChaosInterruptedError } from './errors.js';

/** Waits `milliseconds`, or rejects as soon as the run is interrupted. */
export function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(interruption(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(interruption(signal));
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, milliseconds),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The abort reason when it is the runner's, else an interruption naming no signal. */
function interruption(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new ChaosInterruptedError('abort');
}

/** Rejects when the run is interrupted; for checks between steps. */
export function throwIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) {
    throw interruption(signal);
  }
}

/** 3m12s, 41s, 850 ms: durations as a person reads them. */
export function formatElapsed(milliseconds: number): string {
  if (milliseconds < 1_000) {
    return `${Math.round(milliseconds)} ms`;
  }
  const seconds = Math.round(milliseconds / 1_000);
  return seconds < 60
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
