import { maxTimerMilliseconds } from '@ricochet/core';

/** A timer set by a `Clock`. */
export interface ClockTimer {
  /** The timer never fires after this; cancelling a fired timer does nothing. */
  cancel(): void;
}

/**
 * Time as the delay tier reads it and waits for it: the system's, or one a test moves by hand,
 * so that holding and releasing can be tested without waiting.
 */
export interface Clock {
  now(): number;
  /**
   * Calls `onDue` once, when `now()` reaches `at`. Like a Node timer it may fire a millisecond
   * early, so whoever must not act early checks `now()` again.
   */
  setTimer(at: number, onDue: () => void): ClockTimer;
}

/**
 * The system's clock. A Node timer longer than it takes would fire at once, so a time further
 * away than that is waited for in steps.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(at, onDue) {
    let handle: NodeJS.Timeout;
    const arm = (): void => {
      const delay = Math.max(0, at - Date.now());
      handle = setTimeout(
        delay > maxTimerMilliseconds ? arm : onDue,
        Math.min(delay, maxTimerMilliseconds),
      );
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  },
};
