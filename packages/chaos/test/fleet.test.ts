import { expect } from 'chai';
import { compileChaosOptions, planFleet, type FleetContext } from '@ricochet/chaos';

const context: FleetContext = {
  brokers: ['127.0.0.1:29192'],
  sourceTopic: 'chaos-orders',
  group: 'chaos',
  dlqTopic: 'dlq',
  handlerModule: '/repo/packages/chaos/dist/handler.js',
  ledgerPath: '/run/ledger.db',
  archiveUrl: 'sqlite:/run/archive.db',
};

describe('chaos fleet', () => {
  it('runs main x2, each tier x2 but the scaled one x1, one archiver, each on its own port', () => {
    const options = compileChaosOptions({ tiers: '1s,3s,8s', scaleTo: '3' }, '/repo', () => 1);
    const fleet = planFleet(options, context);
    expect(fleet.initial.map((spec) => spec.name)).to.deep.equal([
      'main-1',
      'main-2',
      'delay-retry-1s-1',
      'delay-retry-1s-2',
      'delay-retry-3s-1',
      'delay-retry-3s-2',
      'delay-retry-8s-1',
      'dlq-1',
    ]);
    expect(fleet.scaleUp.map((spec) => spec.name)).to.deep.equal([
      'delay-retry-8s-2',
      'delay-retry-8s-3',
    ]);
    const ports = [...fleet.initial, ...fleet.scaleUp].map((spec) => spec.httpPort);
    expect(new Set(ports).size).to.equal(ports.length);
    const main = fleet.initial[0];
    expect(main?.environment).to.deep.equal({ RICOCHET_CHAOS_LEDGER: '/run/ledger.db' });
    expect(main?.args).to.include.members([
      '--handler',
      '--from-beginning',
      '--session-timeout-ms',
    ]);
    // The default ordering (key), with many records of a partition in hand at once.
    expect(main?.args).not.to.include('--ordering');
    const maxInFlight = main?.args.indexOf('--max-in-flight') ?? -1;
    expect(main?.args[maxInFlight + 1]).to.equal(String(options.maxInFlight));
    expect(options.maxInFlight).to.be.greaterThan(1);
    const unordered = planFleet(
      compileChaosOptions({ ordering: 'unordered' }, '/repo', () => 1),
      context,
    );
    const args = unordered.initial[0]?.args ?? [];
    expect(args[args.indexOf('--ordering') + 1]).to.equal('unordered');
    expect(args).not.to.include('--on-dead-letter');
  });

  it('runs the main consumers of a key-strict profile with key-strict and the release rule', () => {
    const strict = planFleet(
      compileChaosOptions({ profile: 'key-strict-ci' }, '/repo', () => 1),
      context,
    );
    const args = strict.initial[0]?.args ?? [];
    expect(args[args.indexOf('--ordering') + 1]).to.equal('key-strict');
    expect(args[args.indexOf('--on-dead-letter') + 1]).to.equal('release');
  });
});
