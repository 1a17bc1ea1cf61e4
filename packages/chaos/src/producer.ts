import type { Logger } from '@ricochet/core';
import { createKafkaClient, createReliableProducer, type ReliableProducer } from '@ricochet/kafka';
import { failureKind } from './failure-kind.js';
import type { Ledger } from './ledger.js';
import { encodePlan, type RecordPlan } from './record-plan.js';
import { sleep } from './timing.js';

export interface TrafficOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly plans: readonly RecordPlan[];
  /** Records per second. */
  readonly rate: number;
  readonly ledger: Ledger;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

const tickMilliseconds = 100;
const resendDelayMilliseconds = 1_000;

/**
 * Produces every planned record once, at a steady rate, with its planned key. A send that fails may
 * still have been written, so it is sent again and the ledger counts both sends: the verdict then
 * allows that record a second copy. The broker restart pauses the traffic (after the send in
 * flight) so that the run itself does not make such copies.
 */
export class TrafficProducer {
  readonly #options: TrafficOptions;
  readonly #producer: ReliableProducer;
  #sent = 0;
  #failedSends = 0;
  readonly #failureKinds = new Map<string, number>();
  #inFlight: Promise<void> = Promise.resolve();
  #resumed: Promise<void> | undefined;
  #resume: (() => void) | undefined;
  #pausedMilliseconds = 0;

  constructor(options: TrafficOptions) {
    this.#options = options;
    this.#producer = createReliableProducer(
      createKafkaClient({
        brokers: options.brokers,
        clientId: 'ricochet-chaos-traffic',
        logger: options.logger,
      }),
    );
  }

  /** Records acknowledged so far. */
  get sent(): number {
    return this.#sent;
  }

  /** Sends that failed and were made again. */
  get failedSends(): number {
    return this.#failedSends;
  }

  async connect(): Promise<void> {
    await this.#producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.#producer.disconnect();
  }

  /** Sends that failed, by what made them fail (the broker's error code where it gave one). */
  get failureKinds(): ReadonlyMap<string, number> {
    return this.#failureKinds;
  }

  /** Resolves once no send is in flight; no send starts until `resume`. */
  async pause(): Promise<void> {
    if (this.#resumed === undefined) {
      const pausedAt = Date.now();
      this.#resumed = new Promise((resolve) => {
        this.#resume = () => {
          this.#pausedMilliseconds += Date.now() - pausedAt;
          resolve();
        };
      });
    }
    await this.#inFlight;
  }

  resume(): void {
    this.#resume?.();
    this.#resume = undefined;
    this.#resumed = undefined;
  }

  /** Sends every record; resolves when all are acknowledged. */
  async run(): Promise<void> {
    const { plans, rate, signal } = this.#options;
    const perTick = Math.max(1, Math.round((rate * tickMilliseconds) / 1_000));
    const startedAt = Date.now();
    while (this.#sent < plans.length) {
      await this.#resumed;
      const batch = plans.slice(this.#sent, this.#sent + perTick);
      this.#inFlight = this.#sendUntilAcknowledged(batch);
      await this.#inFlight;
      this.#sent += batch.length;
      // The schedule moves on by the time spent paused: a restart does not end in a burst.
      const dueAt = startedAt + this.#pausedMilliseconds + (this.#sent / rate) * 1_000;
      await sleep(dueAt - Date.now(), signal);
    }
  }

  async #sendUntilAcknowledged(batch: readonly RecordPlan[]): Promise<void> {
    const { topic, ledger, logger, signal } = this.#options;
    const records = batch.map((plan) => ({
      topic,
      key: Buffer.from(plan.key),
      value: encodePlan(plan),
      headers: { 'chaos-kind': plan.kind },
    }));
    const ids = batch.map((plan) => plan.id);
    for (;;) {
      try {
        await this.#producer.publishAcknowledged(records);
        ledger.recordSent(ids);
        return;
      } catch (error) {
        ledger.recordSent(ids);
        this.#failedSends += 1;
        const kind = failureKind(error);
        this.#failureKinds.set(kind, (this.#failureKinds.get(kind) ?? 0) + 1);
        logger.warn('a traffic send failed; sending the batch again', {
          error,
          first: ids[0],
          records: ids.length,
        });
        await sleep(resendDelayMilliseconds, signal);
      }
    }
  }
}
