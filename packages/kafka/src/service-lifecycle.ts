import type kafkajs from 'kafkajs';
import { RicochetError, type Logger } from '@ricochet/core';

/** The lifecycle every Ricochet consumer service goes through. */
export type ServiceState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export class ServiceStartError extends RicochetError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'SERVICE_START', ...options });
  }
}

interface Connectable {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * The start/stop choreography shared by the main, delay and dead-letter services: connect the
 * helpers (producer, admin) before the consumer, disconnect the consumer first (so in-flight
 * work finishes before the producer it publishes with goes away), and turn a crash kafkajs will
 * not recover from into the `failed` state a supervisor can see.
 */
export class ServiceLifecycle {
  readonly #name: string;
  readonly #logger: Logger;
  readonly #consumer: kafkajs.Consumer;
  readonly #helpers: readonly Connectable[];
  #state: ServiceState = 'created';
  #failure: unknown;

  constructor(
    name: string,
    logger: Logger,
    clients: { consumer: kafkajs.Consumer; helpers: readonly Connectable[] },
    onCrash: () => void = () => {},
  ) {
    this.#name = name;
    this.#logger = logger;
    this.#consumer = clients.consumer;
    this.#helpers = clients.helpers;
    this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) => {
      onCrash();
      if (!payload.restart) {
        this.#fail(payload.error);
        this.#logger.error('consumer crashed and will not restart', { error: payload.error });
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

  /** Connects everything, then `run` subscribes and starts the consumer. */
  async start(run: (consumer: kafkajs.Consumer) => Promise<void>): Promise<void> {
    if (this.#state !== 'created') {
      throw new ServiceStartError(`cannot start ${this.#name}: it is ${this.#state}`);
    }
    this.#state = 'starting';
    try {
      for (const helper of this.#helpers) {
        await helper.connect();
      }
      await this.#consumer.connect();
      await run(this.#consumer);
    } catch (error) {
      this.#fail(error);
      await this.#disconnect();
      throw new ServiceStartError(`${this.#name} failed to start`, { cause: error });
    }
    this.#state = 'running';
    this.#logger.info(`${this.#name} running`);
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') {
      return;
    }
    this.#state = 'stopping';
    await this.#disconnect();
    this.#state = 'stopped';
    this.#logger.info(`${this.#name} stopped`);
  }

  #fail(error: unknown): void {
    this.#state = 'failed';
    this.#failure = error;
  }

  async #disconnect(): Promise<void> {
    await this.#consumer.disconnect();
    for (const helper of this.#helpers) {
      await helper.disconnect();
    }
  }
}
