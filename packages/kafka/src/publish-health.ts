import { RicochetError } from '@ricochet/core';

/**
 * How long a service may go on failing to publish, while it has records to publish, before it
 * gives up so that its supervisor restarts it (exit 1 from `ricochet run`). One attempt with the
 * client's own retries takes about 16 s, so this allows a few attempts on fresh producers.
 */
export const defaultPublishTimeoutMilliseconds = 60_000;

/** What a publisher knows of its recent publishes (epoch milliseconds). */
export interface PublishHealth {
  /** The first failed publish since the last one that succeeded; undefined while none failed. */
  readonly failingSince: number | undefined;
  /** The latest failed publish, and why it failed. */
  readonly lastFailedAt: number | undefined;
  readonly lastError: unknown;
  /** Whether records are being published (or wait their turn) right now. */
  readonly publishing: boolean;
}

/**
 * `ok`; `failing` while the last publish failed and records wait to be published again (the
 * service is then not ready); `stalled` once publishes have kept failing for `timeoutMilliseconds`
 * (the service then fails). A service whose last publish failed but that has nothing to publish
 * now is not counted as failing: its consumer, not its producer, says whether it can make progress.
 */
export type PublishStatus =
  { readonly kind: 'ok' } | { readonly kind: 'failing' | 'stalled'; readonly since: number };

export function publishStatus(
  health: PublishHealth,
  now: number,
  timeoutMilliseconds: number,
): PublishStatus {
  const { failingSince, lastFailedAt, publishing } = health;
  if (failingSince === undefined) {
    return { kind: 'ok' };
  }
  const failedUntil = publishing ? now : (lastFailedAt ?? failingSince);
  if (failedUntil - failingSince >= timeoutMilliseconds) {
    return { kind: 'stalled', since: failingSince };
  }
  return publishing ? { kind: 'failing', since: failingSince } : { kind: 'ok' };
}

/** A service kept failing to publish for longer than its publish timeout. */
export class PublishStalledError extends RicochetError {
  constructor(since: number, timeoutMilliseconds: number, cause: unknown) {
    super(
      `publishing has failed since ${new Date(since).toISOString()}, longer than the publish timeout (${timeoutMilliseconds} ms): giving up so that a supervisor restarts the service`,
      { code: 'PUBLISH_STALLED', retriable: true, cause },
    );
  }
}
