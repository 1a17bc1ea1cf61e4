/**
 * The rate cap. Records go in batches of about a tenth of a second's worth (one acknowledged
 * request each, instead of one per record), and a batch of n uses n / rate seconds: the next one
 * waits for that. Time lost to a slow publish is not made up with a burst, so in any window of
 * T seconds at most rate × T records go, plus one batch.
 */

/** Records per publish: a tenth of a second's worth at the rate, at least 1; `most` uncapped. */
export function batchSize(ratePerSecond: number | null, most: number): number {
  return ratePerSecond === null
    ? most
    : Math.max(1, Math.min(most, Math.floor(ratePerSecond / 10)));
}

/** When the batch after one of `sent` records, sent at `sentAt`, may go. */
export function nextSendAt(
  ratePerSecond: number | null,
  scheduledAt: number,
  sentAt: number,
  sent: number,
): number {
  if (ratePerSecond === null) {
    return sentAt;
  }
  return Math.max(scheduledAt, sentAt) + (sent * 1_000) / ratePerSecond;
}
