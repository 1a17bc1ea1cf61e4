import { expect } from 'chai';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readiness } from '@ricochet/kafka';
import {
  createMetrics,
  ServiceHttpError,
  startServiceHttp,
  type ServiceHttp,
} from '@ricochet/observability';
import { recordingLogger } from './recording-logger.js';

interface Answer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

/** One request on a keep-alive agent, as a scraper would make it. */
function get(port: number, path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, method }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          contentType: response.headers['content-type'],
          body,
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('service HTTP endpoints', () => {
  const logger = recordingLogger();
  const metrics = createMetrics({ role: 'main' });
  let readiness: () => Readiness = () => ({ ready: false, reason: 'not started' });
  let http: ServiceHttp;

  before(async () => {
    http = await startServiceHttp({
      host: '127.0.0.1',
      port: 0,
      metrics,
      readiness: () => readiness(),
      logger,
    });
  });

  after(async () => {
    await http?.close();
  });

  it('listens on a port the system chose when asked for port 0', () => {
    expect(http.port).to.be.above(0);
  });

  it('GET /healthz: 200 ok', async () => {
    expect(await get(http.port, '/healthz')).to.deep.equal({
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: 'ok',
    });
  });

  it('GET /readyz: 503 with the reason, then 200 once ready', async () => {
    readiness = () => ({ ready: false, reason: 'not started' });
    const notReady = await get(http.port, '/readyz');
    expect(notReady.status).to.equal(503);
    expect(notReady.contentType).to.equal('application/json');
    expect(JSON.parse(notReady.body)).to.deep.equal({ ready: false, reason: 'not started' });

    readiness = () => ({ ready: true });
    const ready = await get(http.port, '/readyz?verbose');
    expect(ready.status).to.equal(200);
    expect(JSON.parse(ready.body)).to.deep.equal({ ready: true });
  });

  it('GET /readyz: 503, logged, when the readiness check throws', async () => {
    readiness = () => {
      throw new Error('lifecycle gone');
    };
    const answer = await get(http.port, '/readyz');
    expect(answer.status).to.equal(503);
    expect(JSON.parse(answer.body)).to.deep.equal({
      ready: false,
      reason: 'the readiness check failed',
    });
    expect(logger.lines.some((line) => line.level === 'error')).to.equal(true);
  });

  it('GET /metrics: the Prometheus text format, with the contract series', async () => {
    metrics.recordsSucceeded.inc({ topic: 'orders' }, 3);
    const answer = await get(http.port, '/metrics');
    expect(answer.status).to.equal(200);
    expect(answer.contentType).to.equal('text/plain; version=0.0.4; charset=utf-8');
    expect(answer.body).to.contain('# TYPE ricochet_records_succeeded_total counter');
    expect(answer.body).to.contain('ricochet_records_succeeded_total{topic="orders"} 3');
    expect(answer.body).to.contain('ricochet_commit_failures_total{role="main"} 0');
  });

  it('answers 404 to any other path or method, and HEAD like GET without a body', async () => {
    expect((await get(http.port, '/')).status).to.equal(404);
    expect((await get(http.port, '/metrics/extra')).status).to.equal(404);
    expect((await get(http.port, '/healthz', 'POST')).status).to.equal(404);
    expect(await get(http.port, '/healthz', 'HEAD')).to.deep.equal({
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: '',
    });
  });

  it('answers 500 and logs, but keeps serving, when a metric collector throws', async () => {
    const broken = createMetrics({ role: 'main' });
    broken.watchHeldPartitions('retry-5s', () => {
      throw new Error('consumer gone');
    });
    const brokenLogger = recordingLogger();
    const server = await startServiceHttp({
      host: '127.0.0.1',
      port: 0,
      metrics: broken,
      readiness: () => ({ ready: true }),
      logger: brokenLogger,
    });
    try {
      expect((await get(server.port, '/metrics')).status).to.equal(500);
      expect(brokenLogger.lines.map((line) => line.message)).to.include('HTTP request failed');
      expect((await get(server.port, '/healthz')).status).to.equal(200);
    } finally {
      await server.close();
    }
  });

  it('fails to start with a ServiceHttpError naming the address when the port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const failure = await startServiceHttp({
        host: '127.0.0.1',
        port,
        metrics,
        readiness: () => ({ ready: true }),
        logger: recordingLogger(),
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).to.be.instanceOf(ServiceHttpError);
      expect((failure as ServiceHttpError).message).to.equal(
        `cannot serve HTTP on 127.0.0.1:${port}`,
      );
      expect((failure as ServiceHttpError).cause).to.have.property('code', 'EADDRINUSE');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('closes promptly although a scraper keeps its connection alive', async () => {
    const server = await startServiceHttp({
      host: '127.0.0.1',
      port: 0,
      metrics,
      readiness: () => ({ ready: true }),
      logger: recordingLogger(),
    });
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    await response.text();
    const startedAt = Date.now();
    await server.close();
    expect(Date.now() - startedAt).to.be.below(1_000);
  });
});
