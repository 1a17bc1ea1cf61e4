import type { ArchivedRecord } from '@ricochet/archive';
import {
  replayCountHeader,
  replayedFromHeader,
  replayHeaders,
  type HeaderValue,
  type OutgoingRecord,
} from '@ricochet/core';

export interface LoopGuard {
  /** A record already replayed this many times is refused... */
  readonly maxReplays: number;
  /** ...unless forced. */
  readonly force: boolean;
}

/** What becomes of one record of a replay; `refused` and `failed` say why, for people. */
export type ReplayDecision =
  | { readonly kind: 'replay'; readonly outgoing: OutgoingRecord }
  /** The loop guard refused it: forcing replays it anyway. */
  | { readonly kind: 'refused'; readonly reason: string }
  /** It cannot be replayed at all. */
  | { readonly kind: 'failed'; readonly reason: string };

const countPattern = /^(0|[1-9][0-9]{0,8})$/;

/**
 * How many times this record has been replayed: its own replays, plus those that led to it when
 * it is a replay that failed again and was archived anew (its replay-count header). Records are
 * attacker-controlled, so an unreadable header counts as none and several count as the highest:
 * a header can only make the guard stricter than the archive's own count.
 */
export function replaysSoFar(record: ArchivedRecord): number {
  let inherited = 0;
  for (const header of record.headers) {
    const text = header.name === replayCountHeader ? header.value.toString('latin1') : '';
    if (countPattern.test(text)) {
      inherited = Math.max(inherited, Number(text));
    }
  }
  return inherited + record.replayCount;
}

/** The loop guard and the replay's record, decided from the archived record alone. */
export function decideReplay(record: ArchivedRecord, guard: LoopGuard): ReplayDecision {
  if (record.status === 'purged') {
    return { kind: 'failed', reason: 'purged (its value is gone)' };
  }
  const { originalTopic } = record;
  if (originalTopic === null) {
    return { kind: 'failed', reason: 'no original topic in its headers' };
  }
  const replays = replaysSoFar(record);
  if (replays >= guard.maxReplays && !guard.force) {
    return {
      kind: 'refused',
      reason:
        `replayed ${replays} time${replays === 1 ? '' : 's'} already, the loop guard's limit ` +
        `is ${guard.maxReplays} (force to replay it anyway)`,
    };
  }
  return {
    kind: 'replay',
    outgoing: replayRecord({ ...record, originalTopic }, replays + 1),
  };
}

/** decideReplay for a walk's stop: a named id that is not in the archive cannot be replayed. */
export function decideItem(record: ArchivedRecord | undefined, guard: LoopGuard): ReplayDecision {
  return record === undefined
    ? { kind: 'failed', reason: 'not in the archive' }
    : decideReplay(record, guard);
}

/**
 * The record a replay publishes: the original key, value and user headers, back on the original
 * topic, with Ricochet's retry headers dropped (so `try_count` starts again), Spring Kafka's and
 * Kafka Connect's dead-letter headers too, `replayed-from` naming the archive id and
 * `replay-count` the replays that led to it.
 */
function replayRecord(
  record: ArchivedRecord & { originalTopic: string },
  replayCount: number,
): OutgoingRecord {
  const grouped: Record<string, HeaderValue[]> = {};
  for (const header of record.headers) {
    (grouped[header.name] ??= []).push(header.value);
  }
  const headers = replayHeaders(
    Object.fromEntries(
      Object.entries(grouped).map(([name, values]) => [
        name,
        values.length === 1 ? values[0] : values,
      ]),
    ),
  );
  return {
    topic: record.originalTopic,
    key: record.key,
    value: record.value,
    headers: {
      ...headers,
      [replayedFromHeader]: String(record.id),
      [replayCountHeader]: String(replayCount),
    },
  };
}
