import type { ArchiveStore } from '@ricochet/archive';
import type { OutgoingRecord } from '@ricochet/core';
import { defaultChunkSize, defaultSampleSize } from './defaults.js';
import { checkRequest, newestId, type ReplayRequest } from './jobs.js';
import { decideItem } from './loop-guard.js';
import type { SkippedRecord } from './runner.js';
import { walkChunks } from './walk.js';

/** What a replay would do, found without sending or writing anything. */
export interface ReplayPlan {
  /** Records it would replay, refuse (loop guard) and fail (not replayable). */
  readonly replay: number;
  readonly refused: number;
  readonly failed: number;
  /** The first of those it would replay, in the order it would, as it would send them. */
  readonly sample: ReadonlyArray<{ readonly id: number; readonly outgoing: OutgoingRecord }>;
}

/**
 * A dry run: the same walk and the same decisions as a job, with nothing sent and nothing written
 * (no job, no replay marks, no audit row: it changes nothing, and a read-only archive role can
 * make it).
 */
export async function planReplay(
  store: ArchiveStore,
  request: ReplayRequest,
  options: {
    readonly sampleSize?: number;
    readonly chunkSize?: number;
    readonly onSkipped?: (skipped: SkippedRecord) => void;
  } = {},
): Promise<ReplayPlan> {
  const { target, maxReplays, force } = checkRequest(request);
  const sampleSize = options.sampleSize ?? defaultSampleSize;
  const plan = { replay: 0, refused: 0, failed: 0, sample: [] as ReplayPlan['sample'][number][] };
  const scope = { target, throughId: await newestId(store) };
  for await (const items of walkChunks(store, scope, 0, options.chunkSize ?? defaultChunkSize)) {
    for (const { id, record } of items) {
      const decision = decideItem(record, { maxReplays, force });
      if (decision.kind === 'replay') {
        plan.replay += 1;
        if (plan.sample.length < sampleSize) {
          plan.sample.push({ id, outgoing: decision.outgoing });
        }
      } else {
        plan[decision.kind] += 1;
        options.onSkipped?.({ id, kind: decision.kind, reason: decision.reason });
      }
    }
  }
  return plan;
}
