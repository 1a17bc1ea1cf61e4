import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import type { LogFields, Logger } from '@ricochet/core';
import { ExitCode, type ExitCodeValue } from '../src/exit-codes.js';
import { runUntilSignalled, type ProcessControl, type RunnableService } from '../src/service.js';

class FakeProcess extends EventEmitter implements ProcessControl {
  readonly exits: ExitCodeValue[] = [];
  exit(code: ExitCodeValue): void {
    this.exits.push(code);
  }
  listening(): number {
    return this.listenerCount('SIGTERM') + this.listenerCount('SIGINT');
  }
}

class FakeService implements RunnableService {
  state = 'running';
  failure: unknown = undefined;
  stopCalls = 0;
  constructor(private readonly stopping: () => Promise<void>) {}
  async start(): Promise<void> {}
  stop(): Promise<void> {
    this.stopCalls += 1;
    return this.stopping();
  }
}

function recordingLogger(lines: string[]): Logger {
  const log =
    (level: string) =>
    (message: string, fields: LogFields = {}) =>
      void lines.push(`${level} ${message} ${JSON.stringify(fields)}`);
  const logger: Logger = {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: () => logger,
  };
  return logger;
}

const never = () => new Promise<void>(() => {});
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('runUntilSignalled', () => {
  it('stops on SIGTERM and exits 0, ending the process whatever a client left open', async () => {
    const fakeProcess = new FakeProcess();
    const service = new FakeService(async () => {});
    const running = runUntilSignalled(service, recordingLogger([]), {
      shutdownTimeoutMs: 1_000,
      process: fakeProcess,
    });
    await settle();
    fakeProcess.emit('SIGTERM', 'SIGTERM');
    expect(await running).to.equal(ExitCode.success);
    expect(fakeProcess.exits).to.deep.equal([ExitCode.success]);
    expect(fakeProcess.listening(), 'signal handlers removed').to.equal(0);
  });

  it('stops once started, and exits 0, when SIGTERM arrives during start-up', async () => {
    const fakeProcess = new FakeProcess();
    let finishStart: () => void = () => {};
    const service = new FakeService(async () => {});
    service.start = () => new Promise<void>((resolve) => (finishStart = resolve));
    const lines: string[] = [];
    const running = runUntilSignalled(service, recordingLogger(lines), {
      shutdownTimeoutMs: 1_000,
      process: fakeProcess,
    });
    await settle();
    expect(fakeProcess.listening(), 'listening while starting').to.equal(2);
    fakeProcess.emit('SIGTERM', 'SIGTERM');
    await settle();
    expect(service.stopCalls, 'no stop before the start finished').to.equal(0);
    finishStart();
    expect(await running).to.equal(ExitCode.success);
    expect(service.stopCalls).to.equal(1);
    expect(fakeProcess.exits).to.deep.equal([ExitCode.success]);
    expect(fakeProcess.listening(), 'signal handlers removed').to.equal(0);
    expect(lines.join('\n')).to.match(/signal while starting: stopping once started/);
  });

  it('exits 1 at once on a second signal during start-up', async () => {
    const fakeProcess = new FakeProcess();
    const service = new FakeService(async () => {});
    service.start = never;
    void runUntilSignalled(service, recordingLogger([]), {
      shutdownTimeoutMs: 1_000,
      process: fakeProcess,
    });
    await settle();
    fakeProcess.emit('SIGTERM', 'SIGTERM');
    fakeProcess.emit('SIGINT', 'SIGINT');
    expect(fakeProcess.exits).to.deep.equal([ExitCode.failure]);
  });

  it('exits 1 once shutdownTimeoutMs passes with the stop unfinished, saying why', async () => {
    const fakeProcess = new FakeProcess();
    const lines: string[] = [];
    const started = Date.now();
    const running = runUntilSignalled(new FakeService(never), recordingLogger(lines), {
      shutdownTimeoutMs: 50,
      process: fakeProcess,
    });
    await settle();
    fakeProcess.emit('SIGINT', 'SIGINT');
    expect(await running).to.equal(ExitCode.failure);
    expect(Date.now() - started).to.be.within(45, 1_000);
    expect(fakeProcess.exits).to.deep.equal([ExitCode.failure]);
    expect(lines.join('\n')).to.match(
      /error did not stop in time.*redelivered.*"shutdownTimeoutMs":50/,
    );
  });

  it('exits 1 at once on a second signal while stopping', async () => {
    const fakeProcess = new FakeProcess();
    const service = new FakeService(never);
    const lines: string[] = [];
    const running = runUntilSignalled(service, recordingLogger(lines), {
      shutdownTimeoutMs: 60_000,
      process: fakeProcess,
    });
    await settle();
    fakeProcess.emit('SIGTERM', 'SIGTERM');
    fakeProcess.emit('SIGINT', 'SIGINT');
    expect(await running).to.equal(ExitCode.failure);
    expect(fakeProcess.exits).to.deep.equal([ExitCode.failure]);
    expect(service.stopCalls, 'stop is not begun twice').to.equal(1);
    expect(lines.join('\n')).to.include('second signal');
  });

  it('exits 1, forcing the process, when stopping fails', async () => {
    const fakeProcess = new FakeProcess();
    const running = runUntilSignalled(
      new FakeService(() => Promise.reject(new Error('disconnect failed'))),
      recordingLogger([]),
      { shutdownTimeoutMs: 1_000, process: fakeProcess },
    );
    await settle();
    fakeProcess.emit('SIGTERM', 'SIGTERM');
    expect(await running).to.equal(ExitCode.failure);
    expect(fakeProcess.exits).to.deep.equal([ExitCode.failure]);
  });

  it('exits 1 when the service fails for good, without a signal', async () => {
    const fakeProcess = new FakeProcess();
    const service = new FakeService(async () => {});
    const running = runUntilSignalled(service, recordingLogger([]), {
      shutdownTimeoutMs: 1_000,
      process: fakeProcess,
      failureCheckIntervalMs: 10,
    });
    await settle();
    service.state = 'failed';
    expect(await running).to.equal(ExitCode.failure);
    expect(fakeProcess.exits, 'the process ends, so that a supervisor restarts it').to.deep.equal([
      ExitCode.failure,
    ]);
    expect(fakeProcess.listening()).to.equal(0);
  });
});
