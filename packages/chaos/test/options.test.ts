import { expect } from 'chai';
import { ConfigError } from '@ricochet/core';
import { compileChaosOptions, profiles, type ChaosFlags } from '@ricochet/chaos';

const root = '/repo';
const compile = (flags: ChaosFlags = {}) => compileChaosOptions(flags, root, () => 7);

function fieldOf(flags: ChaosFlags): string {
  try {
    compile(flags);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).field;
  }
  return expect.fail(`expected ${JSON.stringify(flags)} to be refused`);
}

describe('chaos options', () => {
  it('takes the ci profile by default, with a random seed and the last tier scaled', () => {
    const options = compile();
    expect(options).to.deep.include({
      profile: 'ci',
      records: profiles.ci.records,
      killsPerRole: profiles.ci.killsPerRole,
      brokerRestarts: 1,
      brokerRestartMode: 'kill',
      seed: 7,
      scaleTo: 3,
      stateDir: '/repo/.state/chaos',
      brokerPort: 29192,
      controllerPort: 29193,
      proxyPort: 29194,
      lostAcks: 1,
      keys: profiles.ci.keys,
      maxInFlight: profiles.ci.maxInFlight,
      maxHandlerLatencyMs: profiles.ci.maxHandlerLatencyMs,
      ordering: undefined,
    });
    expect(options.judgeKeyStrictOrder).to.equal(false);
    expect(compile({ ordering: 'unordered' }).ordering).to.equal('unordered');
    expect(options.ladder.map((tier) => tier.topic)).to.deep.equal([
      'retry-1s',
      'retry-3s',
      'retry-8s',
    ]);
    expect(options.scaleTier.topic).to.equal('retry-8s');
  });

  it('lets flags override the long profile', () => {
    const options = compile({ profile: 'long', records: '500', seed: '42', scaleTier: '3s' });
    expect(options).to.deep.include({
      profile: 'long',
      records: 500,
      killsPerRole: 20,
      seed: 42,
    });
    expect(options.scaleTier.topic).to.equal('retry-3s');
  });

  it('gives a run of fewer records than the profile has keys one key per record', () => {
    expect(compile({ records: '10' }).keys).to.equal(10);
    expect(compile({ records: '500', keys: '7' }).keys).to.equal(7);
  });

  it('names the flag of every bad value', () => {
    const cases: Array<[ChaosFlags, string]> = [
      [{ profile: 'short' }, '--profile'],
      [{ records: '0' }, '--records'],
      [{ records: 'many' }, '--records'],
      [{ rate: '-5' }, '--rate'],
      [{ killsPerRole: '1.5' }, '--kills-per-role'],
      [{ tiers: '8s,1s' }, '--tiers'],
      [{ scaleTier: '5s' }, '--scale-tier'],
      [{ scaleTo: '9', partitions: '4' }, '--scale-to'],
      [{ sessionTimeoutMs: '1000' }, '--session-timeout-ms'],
      [{ poisonPercent: '101' }, '--poison-percent'],
      [{ flakyPercent: '60', poisonPercent: '30', nonRetryablePercent: '20' }, '--flaky-percent'],
      [{ brokerRestart: 'reboot' }, '--broker-restart'],
      [{ resolveTimeout: 'soon' }, '--resolve-timeout'],
      [{ seed: 'abc' }, '--seed'],
      [{ records: '10', keys: '11' }, '--keys'],
      [{ keys: '0' }, '--keys'],
      [{ maxInFlight: '0' }, '--max-in-flight'],
      [{ ordering: 'random' }, '--ordering'],
      [{ maxHandlerLatencyMs: '2000' }, '--max-handler-latency-ms'],
    ];
    for (const [flags, field] of cases) {
      expect(fieldOf(flags), JSON.stringify(flags)).to.equal(field);
    }
  });

  it('refuses the shared development broker’s ports and state directory', () => {
    expect(fieldOf({ brokerPort: '29092' })).to.equal('--broker-port');
    expect(fieldOf({ controllerPort: '29093' })).to.equal('--controller-port');
    expect(fieldOf({ controllerPort: '29192' })).to.equal('--controller-port');
    expect(fieldOf({ stateDir: '.state' })).to.equal('--state-dir');
    expect(fieldOf({ stateDir: '/repo/.state/' })).to.equal('--state-dir');
    expect(compile({ stateDir: '/tmp/chaos' }).stateDir).to.equal('/tmp/chaos');
  });

  it('runs the key-strict profiles with --ordering key-strict and judges their order check whatever the ordering', () => {
    expect(compile({ profile: 'key-strict-ci' })).to.deep.include({
      profile: 'key-strict-ci',
      ordering: 'key-strict',
      judgeKeyStrictOrder: true,
      records: profiles['key-strict-ci'].records,
    });
    expect(compile({ profile: 'key-strict' }).killsPerRole).to.equal(
      profiles['key-strict'].killsPerRole,
    );
    // The check's teeth: key ordering, judged as key-strict.
    expect(compile({ profile: 'key-strict-ci', ordering: 'key' })).to.deep.include({
      ordering: 'key',
      judgeKeyStrictOrder: true,
    });
    expect(compile({ ordering: 'key-strict' })).to.deep.include({
      judgeKeyStrictOrder: true,
      redelivery: 'source',
    });
    expect(compile({}).redelivery).to.equal('group');
    expect(compile({ redelivery: 'source' }).redelivery).to.equal('source');
    expect(fieldOf({ ordering: 'key-strict', redelivery: 'group' })).to.equal('--redelivery');
    expect(fieldOf({ redelivery: 'original' })).to.equal('--redelivery');
    expect(fieldOf({ ordering: 'strict' })).to.equal('--ordering');
  });

  it('runs the cluster profiles on three brokers with their broker faults, each overridden by its flag', () => {
    const options = compile({ profile: 'cluster-ci' });
    expect(options).to.deep.include({
      profile: 'cluster-ci',
      records: profiles['cluster-ci'].records,
      brokerRestarts: 0,
      lostAcks: 0,
      clusterPort: 29392,
      cluster: profiles['cluster-ci'].cluster,
    });
    expect(compile().cluster).to.equal(undefined);
    expect(
      compile({ profile: 'cluster', leaderKills: '0', belowMinIsr: '2', clusterPort: '29900' }),
    ).to.deep.include({
      cluster: { ...profiles.cluster.cluster, leaderKills: 0, belowMinIsr: 2 },
      clusterPort: 29900,
    });
  });

  it('refuses the cluster faults on the single broker, and the single broker’s on the cluster', () => {
    expect(fieldOf({ leaderKills: '1' })).to.equal('--leader-kills');
    expect(fieldOf({ profile: 'key-strict-ci', belowMinIsr: '1' })).to.equal('--below-min-isr');
    expect(fieldOf({ profile: 'cluster-ci', lostAcks: '1' })).to.equal('--lost-acks');
    expect(fieldOf({ profile: 'cluster', brokerRestarts: '1' })).to.equal('--broker-restarts');
    expect(fieldOf({ profile: 'cluster-ci', proxyPort: '29500' })).to.equal('--proxy-port');
    expect(fieldOf({ profile: 'cluster-ci', brokerOutages: '-1' })).to.equal('--broker-outages');
    expect(fieldOf({ profile: 'cluster-ci', clusterPort: '29092' })).to.equal('--cluster-port');
  });
});
