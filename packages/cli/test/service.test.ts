import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import type { LogFields, Logger } from '@ricochet/core';
import { ServiceStartAbandonedError } from '@ricochet/kafka';
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

const errorsAsMessages = (_key: string, value: unknown): unknown =>
  value instanceof Error ? value.message : value;

function recordingLogger(lines: string[]): Logger {
  const log =
    (level: string) =>
    (message: string, fields: LogFields = {}) =>
      void lines.push(`${level} ${message} ${JSON.stringify(fields, errorsAsMessages)}`);
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

  it('abandons the start on SIGTERM during start-up: stops at once and exits 0', async () => {
    const fakeProcess = new FakeProcess();
    const service = new FakeService(async () => {});
    service.start = () => new Promise<void>((_resolve, reject) => (abandonStart = reject));
    let abandonStart: (error: unknown) => void = () => {};
    service.stop = () => {
      service.stopCalls += 1;
      abandonStart(new ServiceStartAbandonedError('the test service'));
      return Promise.resolve();
    };
    const lines: string[] = [];
    const running = runUntilSignalled(service, recordingLogger(lines), {
      shutdownTimeoutMs: 1_000,
      process: fakeProcess,
    });
    await settle();
    expect(fakeProcess.listening(), 'listening while starting').to.equal(2);
    fakeProcess.emit('SIGTERM', 'SIGTERM');
    expect(service.stopCalls, 'stopped without waiting for the start').to.equal(1);
    expect(await running).to.equal(ExitCode.success);
    await settle();
    expect(fakeProcess.exits).to.deep.equal([ExitCode.success]);
    expect(fakeProcess.listening(), 'signal handlers removed').to.equal(0);
    const log = lines.join('\n');
    expect(log).to.match(/info signal while starting: abandoning the start .*"SIGTERM"/);
    expect(log).to.match(/info start abandoned on signal .*stopped before it finished starting/);
  });

  it('exits with the stop, warning of it, when the start fails otherwise while stopping', async () => {
    const fakeProcess = new FakeProcess();
    let stopFinished: () => void = () => {};
    const service = new FakeService(() => new Promise<void>((resolve) => (stopFinished = resolve)));
    let failStart: (error: unknown) => void = () => {};
    service.start = () => new Promise<void>((_resolve, reject) => (failStart = reject));
    const lines: string[] = [];
    const running = runUntilSignalled(service, recordingLogger(lines), {
      shutdownTimeoutMs: 1_000,
      process: fakeProcess,
    });
    await settle();
    fakeProcess.emit('SIGTERM', 'SIGTERM');
    failStart(new Error('broker unreachable'));
    await settle();
    stopFinished();
    expect(await running).to.equal(ExitCode.success);
    expect(lines.join('\n')).to.match(/warn start failed while stopping on signal .*broker/);
  });

  it('rejects with the failure, exiting nothing itself, when the start fails without a signal', async () => {
    const fakeProcess = new FakeProcess();
    const service = new FakeService(async () => {});
    const failure = new Error('broker unreachable');
    service.start = () => Promise.reject(failure);
    const outcome = await runUntilSignalled(service, recordingLogger([]), {
      shutdownTimeoutMs: 1_000,
      process: fakeProcess,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(outcome, 'the CLI turns it into exit 1').to.equal(failure);
    expect(fakeProcess.exits).to.deep.equal([]);
    expect(fakeProcess.listening(), 'signal handlers removed').to.equal(0);
    expect(service.stopCalls).to.equal(0);
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
