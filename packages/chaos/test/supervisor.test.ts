import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Supervisor, type InstanceSpec } from '@ricochet/chaos';
import { testLogger, waitFor } from '@ricochet/testing';

const standIn = fileURLToPath(new URL('./fixtures/service-stand-in.mjs', import.meta.url));

const spec = (name: string, behaviour: 'serve' | 'crash'): InstanceSpec => ({
  name,
  role: 'delay',
  args: [behaviour],
  httpPort: 0,
  environment: {},
});

describe('chaos supervisor (real processes)', function () {
  this.timeout(30_000);
  let runDirectory: string;
  let supervisor: Supervisor;
  /** Waits until the stand-in has installed its SIGTERM handler and said so in its log. */
  const serving = (name: string) => {
    const log = join(runDirectory, `${name}.log`);
    return waitFor(`${name} to serve`, () =>
      existsSync(log) && readFileSync(log, 'utf8').includes('serving') ? true : undefined,
    );
  };

  beforeEach(() => {
    runDirectory = mkdtempSync(join(tmpdir(), 'ricochet-chaos-supervisor-'));
    supervisor = new Supervisor({
      cliBin: standIn,
      runDirectory,
      logger: testLogger('supervisor'),
      initialRestartDelayMilliseconds: 50,
      maxRestartDelayMilliseconds: 200,
    });
  });

  afterEach(async () => {
    await supervisor.stopAll(2_000);
    supervisor.closeLogs();
    rmSync(runDirectory, { recursive: true, force: true });
  });

  it('records its own kill as expected and starts the instance again only when asked', async () => {
    const instance = supervisor.launch(spec('delay-1', 'serve'));
    await serving('delay-1');
    await supervisor.kill(instance);
    expect(instance.running).to.equal(false);
    expect(supervisor.exits[0]).to.include({ name: 'delay-1', signal: 'SIGKILL', expected: true });
    supervisor.relaunch(instance);
    expect(instance.running).to.equal(true);
    expect(instance.starts).to.equal(2);
  });

  it('restarts an instance that exits on its own, counting each exit as unexpected', async () => {
    const instance = supervisor.launch(spec('delay-2', 'crash'));
    await waitFor('three unexpected exits', () =>
      supervisor.exits.filter((exit) => !exit.expected).length >= 3 ? true : undefined,
    );
    expect(instance.starts).to.be.at.least(3);
    expect(supervisor.exits[0]).to.include({ name: 'delay-2', code: 1, expected: false });
    const log = readFileSync(join(runDirectory, 'delay-2.log'), 'utf8');
    expect(log).to.include('cannot start').and.include('exited (code 1, signal null, on its own)');
  });

  it('retires an instance with SIGTERM and never restarts it; stopAll reports each exit', async () => {
    const retired = supervisor.launch(spec('delay-3', 'serve'));
    supervisor.launch(spec('delay-4', 'serve'));
    await serving('delay-3');
    await serving('delay-4');
    const exit = await supervisor.retire(retired, 2_000);
    expect(exit).to.include({ name: 'delay-3', code: 0, expected: true });
    supervisor.relaunch(retired);
    expect(retired.running, 'a retired instance stays down').to.equal(false);
    expect(supervisor.instances().map((instance) => instance.spec.name)).to.deep.equal(['delay-4']);
    const exits = await supervisor.stopAll(2_000);
    expect(exits.get('delay-4')).to.include({ code: 0, expected: true });
  });
});
