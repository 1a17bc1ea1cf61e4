import { nextOffset, RicochetError, type Logger } from '@ricochet/core';
import { observeBatch, type ConsumerEvent } from './consumer-events.js';
import { describeReadiness, type Readiness } from './readiness.js';
import { publishStatus, PublishStalledError, type PublishHealth } from './publish-health.js';
import type { ServiceConsumer, Subscription } from './service-consumer.js';
import type { ServiceState } from './service-state.js';

export class ServiceStartError extends RicochetError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'SERVICE_START', ...options });
  }
}

/** `start()` gave up because `stop()` was called before the service was running. */
export class ServiceStartAbandonedError extends RicochetError {
  static readonly code = 'SERVICE_START_ABANDONED';

  constructor(name: string) {
    super(`${name} was stopped before it finished starting`, {
      code: ServiceStartAbandonedError.code,
    });
  }
}

/** What a service consumes, and the handler of each batch. */
export type Consumption = Subscription;

interface Disconnectable {
  disconnect(): Promise<void>;
}

interface Connectable extends Disconnectable {
  connect(): Promise<void>;
}

interface ConnectionAttempt {
  readonly client: Disconnectable;
  readonly attempt: Promise<void>;
}

/** The publisher a service hands records on with, and how long its publishes may keep failing. */
export interface Publishing {
  readonly publisher: { readonly health: PublishHealth };
  readonly timeoutMilliseconds: number;
}

/** How often a running service checks whether its publishes have kept failing for too long. */
const publishCheckIntervalMilliseconds = 1_000;

export interface LifecycleHooks {
  /** Called when the consumer crashed, whether or not kafkajs restarts it. */
  readonly onCrash?: () => void;
  /**
   * Called when the group starts rebalancing, before this member joins again (so before any of
   * its partitions is given to another member): work beside the batches stops here.
   */
  readonly onRebalancing?: () => void;
  /** Called synchronously for each consumer event; a throw is logged, never passed on. */
  readonly onEvent?: (event: ConsumerEvent) => void;
}

/**
 * The start/stop choreography shared by the main, delay and dead-letter services: connect the
 * helpers (producer, admin) before the consumer, disconnect the consumer first (so in-flight
 * work finishes before the producer it publishes with goes away), and turn a crash kafkajs will
 * not recover from into the `failed` state a supervisor can see. Being the one place that sees
 * group joins, batches and commits, it also reports them (`ConsumerEvent`) and knows readiness.
 */
export class ServiceLifecycle {
  readonly #name: string;
  readonly #logger: Logger;
  readonly #consumer: ServiceConsumer;
  readonly #helpers: readonly Connectable[];
  readonly #publishing: Publishing | undefined;
  #publishCheck: NodeJS.Timeout | undefined;
  readonly #onEvent: (event: ConsumerEvent) => void;
  #state: ServiceState = 'created';
  #failure: unknown;
  /** Aborted by a stop() before the service was running: the start gives up where it is. */
  readonly #startAbandoned = new AbortController();
  /** The connecting step the start awaits, if any. */
  #connecting: ConnectionAttempt | undefined;
  /** The partitions of the last group join; undefined until joined, and again after a crash. */
  #assignment: Readonly<Record<string, readonly number[]>> | undefined;

  constructor(
    name: string,
    logger: Logger,
    clients: {
      consumer: ServiceConsumer;
      helpers: readonly Connectable[];
      publishing?: Publishing;
    },
    hooks: LifecycleHooks = {},
  ) {
    this.#name = name;
    this.#logger = logger;
    this.#consumer = clients.consumer;
    this.#helpers = clients.helpers;
    this.#publishing = clients.publishing;
    this.#onEvent = hooks.onEvent ?? (() => {});
    this.#consumer.onGroupJoin((groupId, assignment) => {
      // A join kafkajs had in flight when the service stopped (a restart of a crashed consumer)
      // can complete after the stop: kafkajs 2.2.4's stop cannot end a restart it has begun (the
      // restarted runner's stop returns at once while it is still joining, and the consumer then
      // forgets it; tulios/kafkajs#1639), and the disconnect waits for the pending join request.
      // Its client is disconnected and its member expires with its session, so a stopped service
      // never reports partitions.
      if (this.#state === 'stopping' || this.#state === 'stopped') {
        this.#logger.debug('a group join completed after the stop; it is not reported', {
          groupId,
        });
        return;
      }
      this.#assignment = assignment;
      this.#notify({ type: 'assigned', groupId, partitions: assignment });
    });
    this.#consumer.onRebalancing(() => hooks.onRebalancing?.());
    this.#consumer.onCrash((error, restart) => {
      // The crashed member left the group; a restart joins again and reports a new assignment.
      this.#assignment = undefined;
      hooks.onCrash?.();
      if (this.#state === 'stopping' || this.#state === 'stopped') {
        this.#cancelRestart(restart);
        return;
      }
      if (!restart) {
        this.#fail(error);
        this.#logger.error('consumer crashed and will not restart', { error });
      }
    });
  }

  get state(): ServiceState {
    return this.#state;
  }

  /** Why the service failed, when `state` is `failed`. */
  get failure(): unknown {
    return this.#failure;
  }

  /** Ready once running, in the group, assigned at least one partition and able to publish. */
  readiness(): Readiness {
    const status = this.#publishStatus();
    return describeReadiness(
      this.#state,
      this.#assignment,
      this.#failure,
      status.kind === 'ok' ? undefined : status.since,
    );
  }

  /**
   * Connects the helpers, then the consumer, and starts consuming. A stop() before it is running
   * makes it give up at once, rejecting with ServiceStartAbandonedError (the stop disconnects).
   */
  async start(consumption: Consumption): Promise<void> {
    const abandoned = this.#startAbandoned.signal;
    abandoned.throwIfAborted();
    if (this.#state !== 'created') {
      throw new ServiceStartError(`cannot start ${this.#name}: it is ${this.#state}`);
    }
    this.#state = 'starting';
    try {
      for (const helper of this.#helpers) {
        await this.#unlessAbandoned(helper, () => helper.connect());
      }
      await this.#unlessAbandoned(this.#consumer, () =>
        this.#consumer.start(
          {
            ...consumption,
            eachBatch: (batch) =>
              observeBatch(batch, consumption.eachBatch, (event) => this.#notify(event)),
          },
          abandoned,
        ),
      );
      abandoned.throwIfAborted();
      // A crash the client does not restart from can come while it joins (a group this principal
      // may not read): the client's run() resolves all the same, and the crash has failed the
      // service, which must not then be marked running.
      if (this.state === 'failed') {
        throw this.#failure;
      }
    } catch (error) {
      if (error === abandoned.reason) {
        throw error;
      }
      // Failed just before a stop came: the stop disconnects, and the service is stopped, not failed.
      if (!abandoned.aborted) {
        this.#fail(error);
        await this.#disconnect();
      }
      throw new ServiceStartError(`${this.#name} failed to start`, { cause: error });
    }
    this.#state = 'running';
    this.#watchPublishing();
    this.#logger.info(`${this.#name} running`);
  }

  /**
   * Commits the partition up to, not including, the record at `offset`, with `metadata`
   * (Ricochet's commit metadata, encoded) when given. Only ever called for records handed on:
   * handled, or acknowledged on a tier or the dead-letter topic (Ricochet's at-least-once rule).
   * A refused commit is reported (`commit-failed`) and rethrown.
   */
  async commitBefore(
    topic: string,
    partition: number,
    offset: string,
    metadata?: string,
  ): Promise<void> {
    try {
      await this.#consumer.commit(topic, partition, offset, metadata);
    } catch (error) {
      this.#notify({ type: 'commit-failed', topic, partition, error });
      throw error;
    }
  }

  /** Commits the partition up to the record after `offset`: see `commitBefore`. */
  async commitThrough(
    topic: string,
    partition: number,
    offset: string,
    metadata?: string,
  ): Promise<void> {
    await this.commitBefore(topic, partition, nextOffset(offset), metadata);
  }

  /**
   * Disconnects, the consumer first; called before the service is running, it ends the start.
   * `drain` (work the service finishes while still connected, such as redeliveries under way
   * and their commits) runs after the service is `stopping`: a consumer crash meanwhile is then
   * not restarted by kafkajs behind the stop.
   */
  async stop(drain?: () => Promise<void>): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') {
      return;
    }
    const inFlight = this.#connecting;
    if (this.#state === 'created' || this.#state === 'starting') {
      this.#startAbandoned.abort(new ServiceStartAbandonedError(this.#name));
    }
    this.#state = 'stopping';
    clearInterval(this.#publishCheck);
    if (inFlight !== undefined) {
      this.#abandon(inFlight);
    }
    try {
      await drain?.();
    } finally {
      await this.#disconnect(inFlight?.client);
    }
    this.#state = 'stopped';
    this.#logger.info(`${this.#name} stopped`);
  }

  #notify(event: ConsumerEvent): void {
    try {
      this.#onEvent(event);
    } catch (error) {
      // An observer (metrics, tests) must never break consumption or a kafkajs event listener.
      this.#logger.warn('a consumer event observer threw', { event: event.type, error });
    }
  }

  /**
   * A crash reported while stopping comes from a consumer kafkajs was restarting when it was
   * stopped: stop() does nothing to a runner still joining, so its join fails once the stop
   * disconnects, and kafkajs restarts it behind the stop. That consumer would rejoin the group
   * and keep the process alive. kafkajs sets the restart timer right after this event; a
   * consumer stop() run after that clears it.
   */
  #cancelRestart(restart: boolean): void {
    if (!restart) {
      return;
    }
    this.#logger.info('consumer crashed while stopping; cancelling the restart kafkajs scheduled');
    setImmediate(() => {
      this.#consumer.disconnect().catch((error: unknown) => {
        this.#logger.warn('disconnecting the consumer again after a crash while stopping failed', {
          error,
        });
      });
    });
  }

  /** Runs one connecting step of the start, giving up on it as soon as a stop abandons the start. */
  async #unlessAbandoned(client: Disconnectable, connect: () => Promise<void>): Promise<void> {
    const abandoned = this.#startAbandoned.signal;
    abandoned.throwIfAborted();
    const attempt = connect();
    let giveUp: () => void = () => {};
    const givenUp = new Promise<never>((_resolve, reject) => {
      giveUp = () => reject(abandoned.reason);
    });
    abandoned.addEventListener('abort', giveUp, { once: true });
    this.#connecting = { client, attempt };
    try {
      await Promise.race([attempt, givenUp]);
    } finally {
      this.#connecting = undefined;
      abandoned.removeEventListener('abort', giveUp);
    }
  }

  /**
   * A stop does not wait for a client still connecting: kafkajs does not end a connection
   * attempt when the client disconnects. It goes on retrying, up to its retry budget, and may
   * connect after the stop; and its disconnect waits for the requests in flight, up to the
   * request timeout, on a broker that accepts connections but does not answer. So the client is
   * told to disconnect now, and again once its attempt ends, without the stop waiting for either:
   * nothing stays connected, or joins the group, behind the stop.
   */
  #abandon({ client, attempt }: ConnectionAttempt): void {
    const disconnect = (): void => {
      client.disconnect().catch((error: unknown) => {
        this.#logger.warn('disconnecting a client whose connection attempt was abandoned failed', {
          error,
        });
      });
    };
    disconnect();
    attempt.then(
      () => {
        this.#logger.info('a connection abandoned by the stop was made afterwards; closing it');
        disconnect();
      },
      (error: unknown) => {
        this.#logger.debug('a connection attempt abandoned by the stop has ended', { error });
        disconnect();
      },
    );
  }

  #publishStatus(): ReturnType<typeof publishStatus> {
    if (this.#publishing === undefined) {
      return { kind: 'ok' };
    }
    const { publisher, timeoutMilliseconds } = this.#publishing;
    return publishStatus(publisher.health, Date.now(), timeoutMilliseconds);
  }

  /**
   * A service that keeps failing to publish must not keep rewinding for ever while it looks
   * alive: once its publishes have failed for the publish timeout it fails (a supervisor then
   * restarts it: `ricochet run` exits 1) and stops consuming, committing nothing more.
   */
  #watchPublishing(): void {
    if (this.#publishing === undefined) {
      return;
    }
    const { publisher, timeoutMilliseconds } = this.#publishing;
    this.#publishCheck = setInterval(() => {
      const status = this.#publishStatus();
      if (status.kind !== 'stalled' || this.#state !== 'running') {
        return;
      }
      const error = new PublishStalledError(
        status.since,
        timeoutMilliseconds,
        publisher.health.lastError,
      );
      this.#fail(error);
      this.#logger.error('publishing kept failing; the service gives up', { error });
      this.#disconnect().catch((disconnectError: unknown) => {
        this.#logger.warn('disconnecting after publishing kept failing failed', {
          error: disconnectError,
        });
      });
    }, publishCheckIntervalMilliseconds);
    this.#publishCheck.unref();
  }

  #fail(error: unknown): void {
    clearInterval(this.#publishCheck);
    this.#state = 'failed';
    this.#failure = error;
  }

  /** Disconnects the consumer, then the helpers in order, except a client `abandon` handles. */
  async #disconnect(abandoned?: Disconnectable): Promise<void> {
    for (const client of [this.#consumer, ...this.#helpers]) {
      if (client !== abandoned) {
        await client.disconnect();
      }
    }
  }
}
