/**
 * The delay consumer's defaults and names. `ricochet run delay` and its help take them from
 * here, so a default is changed in one place. This module loads nothing else.
 */

/** The longest a fetch waits for data. */
export const defaultMaxWaitMilliseconds = 50;

/** Records due within this are read ahead into memory and released by a timer. */
export const defaultReadAheadMilliseconds = 2_000;

/**
 * The most bytes of records read ahead by one tier consumer, its partitions together (32 MiB).
 * One budget for all of them, not one each: a partition that takes a burst may hold all the
 * records due within the read-ahead (a partition's 2 s at 8,500 records/s of 1 KiB over six
 * partitions is about 4 MB, where 1 MiB a partition made it stop reading until records were
 * released, and read them after they were due), while memory stays bounded however many
 * partitions an instance owns.
 */
export const defaultReadAheadBytes = 33_554_432;

/** How far past `now + tier delay` a `due-at` may lie before it is out of range. */
export const defaultMaxClockSkewMilliseconds = 60_000;

/** The most a fetch returns per partition. */
export const defaultMaxBytesPerPartition = 65_536;

/** Redeliveries published in one acknowledged request set. */
export const defaultMaxRedeliveryBatch = 500;

/**
 * The consumer group, and the Kafka client id, of a tier's delay consumers unless they are told
 * otherwise: `ricochet-delay-retry-5s`.
 */
export function delayGroupId(tierTopic: string): string {
  return `ricochet-delay-${tierTopic}`;
}

/** How the group is named, for help text. */
export const delayGroupIdPattern = delayGroupId('<tier>');
