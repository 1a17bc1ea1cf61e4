import { coalescedPublish } from './coalesced-publish.js';
import { performance } from 'node:perf_hooks';
import {
  blockedKeysPartition,
  blockedKeysTopic,
  decodeCommitMetadata,
  keyFromBase64,
  keyId,
  RicochetError,
  waitingTopic,
  type Logger,
  type OutgoingRecord,
  type ReleaseCommand,
} from '@ricochet/core';
import {
  createAdmin,
  type CommittedOffsetReader,
  createPartitionReader,
  PartitionReaderClosedError,
  type KafkaAdmin,
  type KafkaClient,
  type PartitionReader,
} from '@ricochet/kafka';
import type { CarefulGate } from './careful-gate.js';
import { defaultKeyStrictPollMilliseconds } from './defaults.js';
import type { PublishHandOffs } from './hand-offs.js';
import type { InFlightSlots } from './in-flight-slots.js';
import { KeyStrictBook } from './key-strict-book.js';
import { sumGauges } from './key-strict-gauges.js';
import { isOwnerState, StateFold } from './key-strict-fence.js';
import { KeyStrictPartition } from './key-strict-partition.js';
import type { KeyStrictPartitionShared } from './key-strict-shared.js';
import { PartitionRevokedError } from './key-strict-writes.js';
import { readState, type StateSource } from './key-strict-read.js';
import { describeKeyStrictTopics } from './key-strict-topics.js';
import type { CompiledMainConsumerOptions } from './options.js';
import type { ProgressWatch } from './progress-watch.js';
import type { RecordProcessor } from './record-processor.js';

/** How often, at most, a drained follower's handler call is checked against the handler timeout. */
const drainWatchdogMilliseconds = 1_000;

/** What the `key-strict` layer needs of the main consumer. */
export interface KeyStrictPorts {
  readonly kafka: KafkaClient;
  readonly logger: Logger;
  readonly publishState: (records: readonly OutgoingRecord[]) => Promise<unknown>;
  readonly publishHandOffs: PublishHandOffs;
  readonly slots: InFlightSlots;
  readonly carefulGate: CarefulGate;
  readonly progress: ProgressWatch;
  readonly processor: RecordProcessor<unknown>;
  /** Reads what the group committed for a partition: its fence (`CommitMetadata.blockedKeys`). */
  readonly committedOffsets: CommittedOffsetReader;
}

/**
 * Ordering `key-strict` for a main consumer (docs/ordered-retries.md): keeps the state of each
 * owned partition (loaded from the group's blocked-keys topic before the partition's first record
 * is handled), polls the blocked-keys partitions for release commands, drops the partitions the
 * group moved elsewhere, and emits the gauges. A helper of the service: connected before the
 * consumer, disconnected after it.
 */
export class KeyStrict {
  readonly #options: CompiledMainConsumerOptions<unknown>;
  readonly #ports: KeyStrictPorts;
  /** The state writes and appends of every partition, sent together while one is in flight. */
  readonly #publishState: KeyStrictPorts['publishState'];
  readonly #logger: Logger;
  readonly #blockedKeysTopic: string;
  readonly #waitingTopic: string;
  readonly #admin: KafkaAdmin;
  #reader: PartitionReader | undefined;
  #blockedKeysPartitions = 1;
  #waitingPartitions = 1;
  /** Owned partitions, each once its state is loaded (the promise), by `partition:topic`. */
  readonly #partitions = new Map<string, Promise<KeyStrictPartition>>();
  /** The owned partitions whose state has loaded, by `partition:topic`: read without awaiting. */
  readonly #loaded = new Map<string, KeyStrictPartition>();
  /** The offset each owned partition polls its blocked-keys partition from. */
  readonly #pollFrom = new Map<KeyStrictPartition, string>();
  /** The offset each owned partition was last committed before, once this owner committed it. */
  readonly #committed = new Map<KeyStrictPartition, string>();
  /** The drained followers' handler calls in progress in this process (every partition's). */
  readonly #followerCalls = new Set<string>();
  #timers: NodeJS.Timeout[] = [];
  #polling = false;
  #lastGauges = '';

  constructor(options: CompiledMainConsumerOptions<unknown>, ports: KeyStrictPorts) {
    this.#options = options;
    this.#ports = ports;
    this.#publishState = coalescedPublish(ports.publishState);
    this.#logger = ports.logger;
    this.#blockedKeysTopic = blockedKeysTopic(options.groupId);
    this.#waitingTopic = waitingTopic(options.groupId);
    this.#admin = createAdmin(ports.kafka);
  }

  /** Learns the group topics' partitions, starts the reader, the command polling and watchdog. */
  async connect(): Promise<void> {
    await this.#admin.connect();
    const topics = [this.#blockedKeysTopic, this.#waitingTopic];
    const partitionsOf = await describeKeyStrictTopics(this.#admin, this.#options.groupId, topics);
    this.#blockedKeysPartitions = partitionsOf(this.#blockedKeysTopic);
    this.#waitingPartitions = partitionsOf(this.#waitingTopic);
    this.#reader = await createPartitionReader(this.#ports.kafka, { topics });
    const poll = setInterval(() => void this.#poll(), defaultKeyStrictPollMilliseconds);
    const watchdog = setInterval(
      () => this.#ports.processor.expireOverdue(performance.now()),
      drainWatchdogMilliseconds,
    );
    poll.unref();
    watchdog.unref();
    this.#timers = [poll, watchdog];
  }

  async disconnect(): Promise<void> {
    for (const timer of this.#timers) {
      clearInterval(timer);
    }
    this.#timers = [];
    this.forgetAll();
    await this.#reader?.close();
    this.#reader = undefined;
    await this.#admin.disconnect();
  }

  /**
   * The partition's `key-strict` state, loaded from its blocked-keys partition the first time
   * (rule 1: the commands found are acted on, the drains it calls for started). A batch awaits it
   * before its first record.
   */
  forPartition(topic: string, partition: number): Promise<KeyStrictPartition> {
    const name = `${partition}:${topic}`;
    let loading = this.#partitions.get(name);
    if (loading === undefined) {
      loading = this.#load(topic, partition);
      this.#partitions.set(name, loading);
      loading.then(
        (state) => {
          if (this.#partitions.get(name) === loading) {
            this.#loaded.set(name, state);
          }
        },
        () => {
          if (this.#partitions.get(name) === loading) {
            this.#partitions.delete(name);
          }
        },
      );
    }
    return loading;
  }

  /** The partition's state when it has loaded, else undefined (`forPartition` loads it). */
  loaded(topic: string, partition: number): KeyStrictPartition | undefined {
    return this.#loaded.get(`${partition}:${topic}`);
  }

  /**
   * A batch committed the partition before `offset`: chains over and committed through are
   * tombstoned at the next poll.
   */
  committed(topic: string, partition: number, offset: string): void {
    void this.#partitions.get(`${partition}:${topic}`)?.then(
      (state) => this.#committed.set(state, offset),
      () => undefined,
    );
  }

  /**
   * After a group join: every partition's state is dropped, its drains stopped (rule 5), and
   * the partitions now owned load their state again, now rather than at their next batch, so that
   * their drains and release commands go on even while no record of theirs comes. A partition
   * kept across the join reloads too: had this member been evicted meanwhile, another owner may
   * have moved its keys on, and writing from a stale copy could undo that.
   */
  keepOnly(assignment: Readonly<Record<string, readonly number[]>>): void {
    this.forgetAll();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        this.forPartition(topic, partition).catch((error: unknown) => {
          this.#logger.warn(
            'loading the key-strict state of a partition failed; its next batch tries again',
            { topic, partition, error },
          );
        });
      }
    }
  }

  /** After a consumer crash: the member left the group, so every partition may have moved. */
  forgetAll(): void {
    for (const loading of this.#partitions.values()) {
      void loading.then(
        (state) => this.#drop(state),
        () => undefined,
      );
    }
    this.#partitions.clear();
    this.#loaded.clear();
    this.#emitGauges();
  }

  #drop(state: KeyStrictPartition): void {
    state.revoke();
    this.#pollFrom.delete(state);
    this.#committed.delete(state);
    this.#emitGauges();
  }

  async #load(topic: string, partition: number): Promise<KeyStrictPartition> {
    const reader = this.#readerOrFail();
    const shared: KeyStrictPartitionShared = {
      groupId: this.#options.groupId,
      logger: this.#logger,
      blockedKeysTopic: this.#blockedKeysTopic,
      waitingTopic: this.#waitingTopic,
      reader,
      publishState: this.#publishState,
      publishHandOffs: this.#ports.publishHandOffs,
      slots: this.#ports.slots,
      carefulGate: this.#ports.carefulGate,
      progress: this.#ports.progress,
      processor: this.#ports.processor,
      onOutcome: (outcome, record) => this.#options.onOutcome(outcome, record),
      followerCalls: this.#followerCalls,
      changed: () => this.#emitGauges(),
    };
    const book = new KeyStrictBook(topic, partition, this.#options);
    const state = new KeyStrictPartition(
      book,
      shared,
      blockedKeysPartition(partition, this.#blockedKeysPartitions),
      blockedKeysPartition(partition, this.#waitingPartitions),
    );
    const loadStartedAt = performance.now();
    // The fence is read before the state: a commit after it only moves it on past writes of an
    // owner that still owned the partition, which this read then sees.
    const committed = await this.#ports.committedOffsets.read(topic, partition);
    const fence = decodeCommitMetadata(committed.metadata)?.blockedKeys;
    const { earliest, end } = await reader.offsets(
      this.#blockedKeysTopic,
      this.#blockedKeysPartitionOf(partition),
    );
    const fold = new StateFold(fence);
    const next = await readState(this.#stateSource(state), earliest, end, (read) => fold.add(read));
    const commands: ReleaseCommand[] = [];
    for (const record of fold.state.values()) {
      if (record.kind === 'entry') {
        book.put(keyId(keyFromBase64(record.key)), record);
      } else if (record.kind === 'released') {
        book.putReleased(record);
      } else {
        commands.push(record);
      }
    }
    // Before the first commit names this owner, its own state lies over every write it does not
    // believe, so what the next owner believes below the fence is what this one believed.
    for (const recordKey of fold.disbelieved) {
      await state.rewrite(recordKey);
    }
    state.loaded(end);
    this.#pollFrom.set(state, next);
    // Chains over and committed through are swept from what the group committed, not only after
    // this owner's first commit: a partition with nothing new to read may never be committed again.
    if (committed.offset !== undefined) {
      this.#committed.set(state, committed.offset);
    }
    this.#logger.info('key-strict state loaded', {
      topic,
      partition,
      ...book.gauges(),
      releaseCommands: commands.length,
      writesNotBelieved: fold.disbelieved.size,
      stateOffsetsRead: Number(BigInt(end) - BigInt(earliest)),
      loadMilliseconds: Math.round(performance.now() - loadStartedAt),
    });
    for (const command of commands) {
      await state.release(command);
    }
    state.startDrains();
    this.#emitGauges();
    return state;
  }

  /**
   * Rule 4: every owned partition reads what is new on its blocked-keys partition: it acts on
   * release commands, and writes its own state over any write about it of another writer (a
   * member the group moved on from, writing late).
   */
  async #poll(): Promise<void> {
    if (this.#polling || this.#reader === undefined) {
      return;
    }
    this.#polling = true;
    try {
      for (const [state, from] of [...this.#pollFrom]) {
        const { end } = await this.#reader.offsets(
          this.#blockedKeysTopic,
          this.#blockedKeysPartitionOf(state.book.partition),
        );
        if (BigInt(end) <= BigInt(from) || state.revoked) {
          continue;
        }
        const commands = new Map<string, ReleaseCommand>();
        const foreign = new Set<string>();
        const next = await readState(this.#stateSource(state), from, end, (read) => {
          if (read.record?.kind === 'release') {
            commands.set(read.recordKey, read.record);
          } else if (read.record === undefined && !isOwnerState(read.recordKey)) {
            commands.delete(read.recordKey);
          } else if (isOwnerState(read.recordKey) && !state.wrote(read.writer)) {
            foreign.add(read.recordKey);
          }
        });
        if (state.revoked) {
          continue;
        }
        this.#pollFrom.set(state, next);
        for (const recordKey of foreign) {
          this.#logger.warn(
            'another writer wrote the key-strict state of a partition this member owns; writing it again',
            { topic: state.book.topic, partition: state.book.partition },
          );
          await state.rewrite(recordKey);
        }
        for (const command of commands.values()) {
          await state.release(command);
        }
      }
      for (const [state, committed] of [...this.#committed]) {
        if (!state.revoked) {
          await state.sweep(committed);
        }
      }
    } catch (error) {
      if (error instanceof PartitionRevokedError || error instanceof PartitionReaderClosedError) {
        // A rebalance or the stop overtook the poll: the partition's next owner reads the commands.
        this.#logger.debug(
          'a blocked-keys poll ended: its partition was revoked or the service stops',
          {
            error,
          },
        );
        return;
      }
      this.#logger.warn(
        'polling the blocked-keys topic for release commands failed; trying again',
        {
          error,
        },
      );
    } finally {
      this.#polling = false;
    }
  }

  /** Where the partition's state is kept: `readState` reads it. */
  #stateSource(state: KeyStrictPartition): StateSource {
    const { topic, partition } = state.book;
    return {
      reader: this.#readerOrFail(),
      logger: this.#logger,
      blockedKeysTopic: this.#blockedKeysTopic,
      blockedKeysPartition: this.#blockedKeysPartitionOf(partition),
      topic,
      partition,
    };
  }

  #blockedKeysPartitionOf(partition: number): number {
    return blockedKeysPartition(partition, this.#blockedKeysPartitions);
  }

  #readerOrFail(): PartitionReader {
    if (this.#reader === undefined) {
      throw new RicochetError('the key-strict layer is not connected', {
        code: 'KEY_STRICT_NOT_CONNECTED',
        retriable: true,
      });
    }
    return this.#reader;
  }

  /** Emits the gauges of every partition owned when they changed. */
  #emitGauges(): void {
    const gauges = sumGauges([...this.#pollFrom.keys()].map((state) => state.book.gauges()));
    const text = JSON.stringify(gauges);
    if (text !== this.#lastGauges) {
      this.#lastGauges = text;
      this.#options.onEvent({ type: 'key-strict', ...gauges });
    }
  }
}
