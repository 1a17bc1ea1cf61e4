import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RicochetError, type Logger } from '@ricochet/core';
import type { Readiness } from '@ricochet/kafka';
import type { ServiceMetrics } from './metrics.js';

export class ServiceHttpError extends RicochetError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'SERVICE_HTTP', ...options });
  }
}

export interface ServiceHttpOptions {
  readonly host: string;
  /** 0 lets the system choose a free port (tests); `port` on the result tells which. */
  readonly port: number;
  readonly metrics: Pick<ServiceMetrics, 'registry'>;
  readonly readiness: () => Readiness;
  readonly logger: Logger;
}

export interface ServiceHttp {
  /** The port actually listened on. */
  readonly port: number;
  /** Stops listening; resolves once the connections are closed. */
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const notFound: Reply = {
  status: 404,
  contentType: 'text/plain; charset=utf-8',
  body: 'not found',
};

/**
 * Serves GET /healthz, /readyz and /metrics (docs/operations-contract.md). A request can fail
 * (a readiness check or a metric collector throws) but never takes the server down with it.
 */
export async function startServiceHttp(options: ServiceHttpOptions): Promise<ServiceHttp> {
  const { host, port, logger } = options;
  let closing = false;
  const server = createServer((request, response) => {
    void reply(request, options)
      .catch((error: unknown): Reply => {
        logger.error('HTTP request failed', { error, method: request.method, url: request.url });
        return { status: 500, contentType: 'text/plain; charset=utf-8', body: 'internal error' };
      })
      .then((answer) => send(response, answer, closing))
      .catch((error: unknown) => {
        logger.error('could not send an HTTP response', { error, url: request.url });
        response.destroy();
      });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    throw new ServiceHttpError(`cannot serve HTTP on ${host}:${port}`, { cause: error });
  }
  server.on('error', (error) => logger.error('HTTP server error', { error }));
  const address = server.address() as AddressInfo;
  logger.info('HTTP endpoints listening', { host, port: address.port });
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing = true;
        server.close((error) =>
          error === undefined
            ? resolve()
            : reject(new ServiceHttpError('closing the HTTP server failed', { cause: error })),
        );
        // A scraper's keep-alive connection would otherwise hold close() open until it times out.
        server.closeIdleConnections();
      }),
  };
}

async function reply(request: IncomingMessage, options: ServiceHttpOptions): Promise<Reply> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return notFound;
  }
  switch (new URL(request.url ?? '/', 'http://service').pathname) {
    case '/healthz':
      return { status: 200, contentType: 'text/plain; charset=utf-8', body: 'ok' };
    case '/readyz': {
      const readiness = checkReadiness(options);
      return {
        status: readiness.ready ? 200 : 503,
        contentType: 'application/json',
        body: JSON.stringify({
          ready: readiness.ready,
          reason: readiness.reason,
          ...(readiness.parts === undefined ? {} : { parts: readiness.parts }),
        }),
      };
    }
    case '/metrics': {
      const { registry } = options.metrics;
      return { status: 200, contentType: registry.contentType, body: await registry.metrics() };
    }
    default:
      return notFound;
  }
}

function checkReadiness(options: ServiceHttpOptions): Readiness {
  try {
    return options.readiness();
  } catch (error) {
    options.logger.error('the readiness check threw', { error });
    return { ready: false, reason: 'the readiness check failed' };
  }
}

function send(response: ServerResponse, answer: Reply, closing: boolean): void {
  response.writeHead(answer.status, {
    'content-type': answer.contentType,
    'cache-control': 'no-store',
    // While closing, end keep-alive connections after this response rather than wait them out.
    ...(closing ? { connection: 'close' } : {}),
  });
  response.end(answer.body);
}
