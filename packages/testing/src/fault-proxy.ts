import { createServer, connect, type Server, type Socket } from 'node:net';
import {
  KafkaFrameSplitter,
  readRequestHeader,
  readResponseCorrelationId,
} from './kafka-frames.js';

/**
 * How long a lost acknowledgement's outage lasts: longer than a producer's own retries (about
 * 16 s, see createReliableProducer), so that the publish fails for real.
 */
export const outageBeyondProducerRetriesMilliseconds = 20_000;

export interface FaultProxyOptions {
  /** Where clients connect: a broker listener must advertise this port (scripts/kafka PROXY_PORT). */
  readonly listenPort: number;
  /** The broker listener the proxy forwards to. */
  readonly targetPort: number;
}

/** A client connection and the proxy's own connection to the broker for it. */
interface Link {
  readonly client: Socket;
  readonly upstream: Socket;
  /** The correlation id of the request whose response this link must swallow. */
  dropResponseTo?: number;
}

/**
 * A TCP proxy between Kafka clients and a real broker that can lose an acknowledgement for real:
 * the next request of a kind (a Produce, an OffsetCommit) reaches the broker, which acts on it,
 * its response never reaches the client, and the broker then looks down (connections closed,
 * new ones refused) for a while.
 */
export class FaultProxy {
  readonly #options: FaultProxyOptions;
  readonly #links = new Set<Link>();
  #server: Server | undefined;
  /** Set while the response to the next request of `apiKey` is to be lost. */
  #armed:
    | { readonly apiKey: number; readonly refuseForMilliseconds: number; readonly lost: () => void }
    | undefined;
  #reopen: NodeJS.Timeout | undefined;
  /** Requests of this API key close their connection instead of reaching the broker, until `until`. */
  #cut: { readonly apiKey: number; readonly until: number } | undefined;
  /** Why listening again after an outage failed (its port taken): reported by `close`. */
  #reopenError: unknown;

  constructor(options: FaultProxyOptions) {
    this.#options = options;
  }

  get port(): number {
    return this.#options.listenPort;
  }

  async start(): Promise<void> {
    const server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.listenPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
  }

  /**
   * Forwards the next request of `apiKey` (see kafka-frames.ts) but drops its response, then
   * closes every connection and refuses new ones for `refuseForMilliseconds`. Resolves once the
   * response was dropped.
   */
  loseNextResponse(apiKey: number, refuseForMilliseconds: number): Promise<void> {
    return new Promise((lost) => {
      this.#armed = { apiKey, refuseForMilliseconds, lost };
    });
  }

  /**
   * Ends the outage that followed a lost response before its time: a test that has seen what the
   * outage causes (the publish failed) need not wait longer. Resolves once connections are taken
   * again; does nothing once the outage is over.
   */
  async endOutage(): Promise<void> {
    if (this.#reopen === undefined) {
      return;
    }
    clearTimeout(this.#reopen);
    this.#reopen = undefined;
    await this.start();
  }

  /** Forgets a loss armed by `loseNextResponse` that has not happened yet. */
  cancelLoss(): void {
    this.#armed = undefined;
  }

  /**
   * For `forMilliseconds`, a request of `apiKey` is never forwarded: its connection is closed
   * instead. Other requests pass, so a service can still consume while it cannot publish.
   */
  cutRequests(apiKey: number, forMilliseconds: number): void {
    this.#cut = { apiKey, until: Date.now() + forMilliseconds };
  }

  /** Ends a cut before its time: a test that waits for what the cut causes need not wait longer. */
  endCut(): void {
    this.#cut = undefined;
  }

  async close(): Promise<void> {
    clearTimeout(this.#reopen);
    this.#armed = undefined;
    await this.#closeServer();
    if (this.#reopenError !== undefined) {
      throw new Error('the fault proxy could not listen again after an outage', {
        cause: this.#reopenError,
      });
    }
  }

  #accept(client: Socket): void {
    const upstream = connect(this.#options.targetPort, '127.0.0.1');
    const link: Link = { client, upstream };
    this.#links.add(link);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      this.#links.delete(link);
    };
    const requests = new KafkaFrameSplitter();
    const responses = new KafkaFrameSplitter();
    client.on('data', (chunk: Buffer) => {
      for (const frame of requests.push(chunk)) {
        const { apiKey, correlationId } = readRequestHeader(frame);
        if (
          this.#cut !== undefined &&
          apiKey === this.#cut.apiKey &&
          Date.now() < this.#cut.until
        ) {
          drop();
          return;
        }
        if (apiKey === this.#armed?.apiKey && link.dropResponseTo === undefined) {
          link.dropResponseTo = correlationId;
        }
        upstream.write(frame);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      for (const frame of responses.push(chunk)) {
        // Only while still armed: a loss cancelled meanwhile lets the response through.
        if (this.#armed !== undefined && readResponseCorrelationId(frame) === link.dropResponseTo) {
          this.#outage();
          return;
        }
        client.write(frame);
      }
    });
    client.on('close', drop).on('error', drop);
    upstream.on('close', drop).on('error', drop);
  }

  /** The response was swallowed: the broker now looks down for a while. */
  #outage(): void {
    const armed = this.#armed;
    this.#armed = undefined;
    if (armed === undefined) {
      return;
    }
    void this.#closeServer().then(() => {
      armed.lost();
      this.#reopen = setTimeout(() => {
        this.#reopen = undefined;
        this.start().catch((error: unknown) => {
          this.#reopenError = error;
        });
      }, armed.refuseForMilliseconds);
    });
  }

  async #closeServer(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const link of this.#links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    this.#links.clear();
    if (server !== undefined) {
      await new Promise((resolve) => server.close(resolve));
    }
  }
}
