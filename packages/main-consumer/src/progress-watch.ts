import type { Readiness } from '@ricochet/kafka';

/**
 * Whether records are moving: work waits in hand (a batch is being handled) and when a record
 * last finished. The clock is the caller's (`performance.now()` milliseconds), so the watch is
 * pure and costs one field write per record.
 */
export class ProgressWatch {
  #batchesInHand = 0;
  #lastProgressAt: number;

  constructor(now: number) {
    this.#lastProgressAt = now;
  }

  batchStarted(now: number): void {
    // Waiting starts with the work: an idle spell before it is not a stall.
    if (this.#batchesInHand === 0) {
      this.#lastProgressAt = now;
    }
    this.#batchesInHand += 1;
  }

  batchEnded(): void {
    this.#batchesInHand -= 1;
  }

  /** A record finished (handled, handed on or skipped) at `at`. */
  progressed(at: number): void {
    this.#lastProgressAt = at;
  }

  /** How long work has waited in hand with no record finishing; 0 while nothing waits. */
  secondsWithoutProgress(now: number): number {
    return this.#batchesInHand === 0 ? 0 : Math.max(0, now - this.#lastProgressAt) / 1000;
  }
}

/** Not ready once work has waited in hand longer than the stall timeout with no record finishing. */
export function progressReadiness(
  secondsWithoutProgress: number,
  stallTimeoutMilliseconds: number,
): Readiness {
  if (secondsWithoutProgress * 1000 <= stallTimeoutMilliseconds) {
    return { ready: true };
  }
  return {
    ready: false,
    reason: `stalled: records wait in hand and none has finished for ${Math.round(secondsWithoutProgress)} s (stall timeout ${stallTimeoutMilliseconds} ms)`,
  };
}
