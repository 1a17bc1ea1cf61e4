import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blockedKeysTopic, redeliveryGroup, redeliveryTopic, waitingTopic } from '@ricochet/core';
import { ConsoleEnvironment } from '@ricochet/console';
import { createReliableProducer } from '@ricochet/kafka';
import {
  spawnCli,
  startSecureBroker,
  uniqueName,
  waitFor,
  type Acl,
  type CliProcess,
  type SecureBroker,
} from '@ricochet/testing';

const handlerModule = fileURLToPath(
  new URL('../fixtures/secure-pipeline-handler.mjs', import.meta.url),
);

/** Ports of its own, beside the dev broker (29092) and the chaos run's. */
const ports = { saslSsl: 29792, ssl: 29793, controller: 29794 };
const roles = [
  'main',
  'delay',
  'archiver',
  'topology',
  'console',
  'nobody',
  'main-partial',
  'main-group-partial',
  'delay-partial',
  'archiver-partial',
] as const;
const tier = 'retry-1s';
const delayGroup = `ricochet-delay-${tier}`;
const archiverGroup = 'ricochet-dlq-archiver';

const topicAcls = (topic: string, ...operations: Acl['operation'][]): Acl[] =>
  operations.map((operation) => ({ resourceType: 'topic', name: topic, operation }));
const groupRead = (group: string): Acl => ({
  resourceType: 'group',
  name: group,
  operation: 'Read',
});

/** `ricochet run main` of `group` on `source` with the test's handler. */
const runMain = (source: string, group: string): string[] => [
  'run',
  'main',
  '--topic',
  source,
  '--group',
  group,
  '--handler',
  handlerModule,
];

/** The ACLs docs/operations-contract.md gives each role, for one source topic and one ladder. */
function documentedAcls(names: { source: string; dlq: string; group: string }) {
  const { source, dlq, group } = names;
  return {
    topology: [
      ...[source, tier, dlq].flatMap((topic) =>
        topicAcls(topic, 'Describe', 'DescribeConfigs', 'Create'),
      ),
      { resourceType: 'cluster', name: 'kafka-cluster', operation: 'DescribeConfigs' },
    ] satisfies Acl[],
    main: [
      ...topicAcls(source, 'Read', 'Describe'),
      ...topicAcls(tier, 'Write', 'Describe'),
      ...topicAcls(dlq, 'Write', 'Describe'),
      groupRead(group),
    ] satisfies Acl[],
    delay: [
      ...topicAcls(tier, 'Read', 'Describe'),
      ...topicAcls(source, 'Write', 'Describe'),
      ...topicAcls(dlq, 'Write', 'Describe'),
      groupRead(delayGroup),
    ] satisfies Acl[],
    archiver: [...topicAcls(dlq, 'Read', 'Describe'), groupRead(archiverGroup)] satisfies Acl[],
    console: topicAcls(source, 'Write', 'Describe') satisfies Acl[],
  };
}

describe('a broker requiring SASL_SSL or TLS client certificates, with ACLs (real broker)', function () {
  this.timeout(120_000);
  let broker: SecureBroker;
  const processes: CliProcess[] = [];
  const workDirectory = mkdtempSync(join(tmpdir(), 'ricochet-secure-'));

  /** A `ricochet` process as `user` over SASL_SSL, logging at debug level in JSON. */
  const spawnAs = (user: string, args: readonly string[], extra: NodeJS.ProcessEnv = {}) => {
    const child = spawnCli(args, {
      ...broker.saslEnvironment(user),
      RICOCHET_LOG_LEVEL: 'debug',
      RICOCHET_LOG_FORMAT: 'json',
      ...extra,
    });
    processes.push(child);
    return child;
  };
  const runAs = async (user: string, args: readonly string[], extra: NodeJS.ProcessEnv = {}) => {
    const child = spawnAs(user, args, extra);
    const code = await child.exited;
    return { code, log: child.log() };
  };

  /** Publishes each value (also its key) to `topic` as the broker's admin, acknowledged. */
  const publishValues = async (topic: string, values: readonly string[]) => {
    const producer = createReliableProducer(broker.adminClient());
    await producer.connect();
    try {
      await producer.publishAcknowledged(
        values.map((value) => ({
          topic,
          key: Buffer.from(value),
          value: Buffer.from(value),
          headers: {},
        })),
      );
    } finally {
      await producer.disconnect();
    }
  };

  before(async function () {
    this.timeout(180_000);
    broker = await startSecureBroker('secure-broker', ports, roles);
  });

  afterEach(() => {
    processes.forEach((child) => child.kill());
  });

  after(async () => {
    await broker?.stop();
  });

  it('runs topology, main, delay, archiver, replay and the console, each as its own principal with only the documented ACLs; no secret in any log at debug level', async () => {
    const source = uniqueName('orders');
    const dlq = uniqueName('dlq');
    const group = uniqueName('group');
    const acls = documentedAcls({ source, dlq, group });
    for (const role of ['topology', 'main', 'delay', 'archiver', 'console'] as const) {
      await broker.grant(role, acls[role]);
    }
    const created = await runAs('topology', [
      'topology',
      'create',
      '--tiers',
      '1s',
      '--dlq',
      dlq,
      '--topic',
      source,
    ]);
    expect(created.code, created.log).to.equal(0);
    // The same principal by its client certificate (CN=topology) on the SSL listener.
    const verified = await runAs(
      'topology',
      ['topology', 'verify', '--tiers', '1s', '--dlq', dlq, '--topic', source],
      broker.certificateEnvironment('topology'),
    );
    expect(verified.code, verified.log).to.equal(0);

    const ledger = join(workDirectory, 'ledger');
    writeFileSync(ledger, '');
    const store = `sqlite:${join(workDirectory, 'archive.db')}`;
    const service = ['--http-port', '0', '--dlq', dlq];
    spawnAs('main', [...runMain(source, group), '--tiers', '1s', '--from-beginning', ...service], {
      RICOCHET_TEST_LEDGER: ledger,
    });
    spawnAs('delay', ['run', 'delay', '--tier', tier, ...service]);
    spawnAs('archiver', ['run', 'dlq', '--store', store, ...service]);

    await publishValues(source, ['flaky-1', 'poison-1']);
    const ledgerLines = () => readFileSync(ledger, 'utf8').split('\n').filter(Boolean);
    // Through the tier and the delay service back to main.
    await waitFor('flaky-1 handled on its redelivery', () =>
      ledgerLines().includes('flaky-1 1 false'),
    );
    // Dead-lettered by main, archived by the archiver.
    await waitFor('poison-1 archived', async () => {
      const listed = await runAs('archiver', ['dlq', 'list', '--store', store, '--json']);
      return listed.log.includes('poison-1') || undefined;
    });
    const replayed = await runAs('console', [
      'dlq',
      'replay',
      '--store',
      store,
      '--topic',
      source,
      '--actor',
      'secure-test',
    ]);
    expect(replayed.code, replayed.log).to.equal(0);
    await waitFor('poison-1 handled as a replay', () => ledgerLines().includes('poison-1 0 true'));

    // The console itself (`ricochet console`) as the console principal: a replay started through
    // its API publishes over SASL_SSL with the console's ACLs only.
    await publishValues(source, ['poison-2']);
    await waitFor('poison-2 archived', async () => {
      const listed = await runAs('archiver', ['dlq', 'list', '--store', store, '--json']);
      return listed.log.includes('poison-2') || undefined;
    });
    const operatorToken = randomBytes(24).toString('hex');
    const consoleProcess = spawnAs(
      'console',
      ['console', '--store', store, '--host', '127.0.0.1', '--port', '0'],
      { [ConsoleEnvironment.operatorToken]: operatorToken },
    );
    const consoleUrl = await waitFor(
      'the console to listen',
      () => /console at (http:\/\/\S+)/.exec(consoleProcess.log())?.[1],
    );
    const started = await fetch(`${consoleUrl}/api/v1/replays`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ filter: { topic: source, key: 'poison-2' } }),
    });
    expect(started.status, await started.text()).to.equal(202);
    await waitFor('poison-2 handled as a replay from the console', () =>
      ledgerLines().includes('poison-2 0 true'),
    );

    // The console's replay without Write on the original topic: refused, the permission named.
    await broker.revoke('console', topicAcls(source, 'Write'));
    const refused = await runAs('console', [
      'dlq',
      'replay',
      '--store',
      store,
      '--topic',
      source,
      '--force',
    ]);
    expect(refused.code, refused.log).to.equal(2);
    expect(refused.log).to.include(
      'not authorized: the principal needs Write on the topics it publishes to',
    );

    const logs = processes.map((child) => child.log()).join('\n');
    expect(logs).to.include('"level":"debug"');
    for (const role of roles) {
      expect(logs).not.to.include(broker.password(role));
    }
    for (const keyFile of ['ca.key', 'broker.pem', 'client-main.key']) {
      const keyMaterial = readFileSync(join(broker.secrets, keyFile), 'utf8');
      // The base64 body of the key, whatever line it was split at.
      expect(logs).not.to.include(keyMaterial.split('\n')[1]);
    }
  });

  it('a role missing one of its documented ACLs fails at once with exit 2, naming the permission', async () => {
    const source = uniqueName('orders');
    const dlq = uniqueName('dlq');
    const group = uniqueName('group');
    const acls = documentedAcls({ source, dlq, group });
    const topology = ['topology', 'create', '--tiers', '1s', '--dlq', dlq, '--topic', source];
    await broker.grant(
      'nobody',
      acls.topology.filter((acl) => acl.resourceType !== 'cluster'),
    );
    const withoutCluster = await runAs('nobody', topology);
    expect(withoutCluster.code, withoutCluster.log).to.equal(2);
    expect(withoutCluster.log).to.include(
      'not authorized: the principal needs DescribeConfigs on the cluster',
    );
    await broker.grant('topology', acls.topology);
    expect((await runAs('topology', topology)).code).to.equal(0);
    // The group's own topics, for --redelivery group.
    const groupTopics = [blockedKeysTopic(group), waitingTopic(group), redeliveryTopic(group)];
    await broker.grant(
      'topology',
      groupTopics.flatMap((topic) => topicAcls(topic, 'Describe', 'DescribeConfigs', 'Create')),
    );
    const withGroup = await runAs('topology', [...topology, '--group', group]);
    expect(withGroup.code, withGroup.log).to.equal(0);

    const service = ['--http-port', '0', '--dlq', dlq];
    const cases = [
      {
        user: 'main',
        granted: acls.main.filter((acl) => acl.resourceType !== 'group'),
        args: runMain(source, group),
        missing: `Read on group ${group}`,
      },
      {
        // Every documented ACL of --redelivery group but its redelivery reader's group.
        user: 'main-group',
        granted: [...acls.main, ...topicAcls(redeliveryTopic(group), 'Read', 'Describe')],
        args: [...runMain(source, group), '--redelivery', 'group'],
        missing: `Read on group ${redeliveryGroup(group)}`,
      },
      {
        user: 'delay',
        granted: acls.delay.filter((acl) => acl.resourceType !== 'group'),
        args: ['run', 'delay', '--tier', tier],
        missing: `Read on group ${delayGroup}`,
      },
      {
        user: 'archiver',
        granted: acls.archiver.filter(
          (acl) => acl.operation !== 'Read' || acl.resourceType !== 'topic',
        ),
        args: ['run', 'dlq', '--store', `sqlite:${join(workDirectory, 'unused.db')}`],
        missing: `Read on topic ${dlq}`,
      },
    ];
    // Each with its own user: a user holds no ACL but the ones granted here.
    await Promise.all(
      cases.map(async ({ user, granted, args, missing }) => {
        await broker.grant(`${user}-partial`, granted);
        const failed = await runAs(`${user}-partial`, [...args, ...service]);
        expect(failed.code, failed.log).to.equal(2);
        expect(failed.log).to.include(`not authorized: the principal needs ${missing}`);
      }),
    );
  });

  it('a wrong password, a wrong CA or an expired client certificate: exit 2 at once, the problem named, no reconnecting', async () => {
    const delay = ['run', 'delay', '--tier', tier, '--http-port', '0'];
    const cases = [
      {
        environment: {
          ...broker.saslEnvironment('delay'),
          RICOCHET_SASL_PASSWORD: 'not-the-password',
        },
        problem:
          'SASL authentication as "delay" (scram-sha-512) refused by the broker: wrong username or password',
      },
      {
        environment: {
          ...broker.saslEnvironment('delay'),
          RICOCHET_TLS_CA_FILE: join(broker.secrets, 'other-ca.pem'),
        },
        problem: "the broker's certificate is not signed by a trusted CA; check --tls-ca-file",
      },
      {
        environment: {
          ...broker.certificateEnvironment('delay'),
          RICOCHET_TLS_CERT_FILE: join(broker.secrets, 'client-expired.pem'),
          RICOCHET_TLS_KEY_FILE: join(broker.secrets, 'client-expired.key'),
        },
        problem: 'client-expired.pem (CN=expired) expired on',
      },
    ];
    await Promise.all(
      cases.map(async ({ environment, problem }) => {
        const started = Date.now();
        const failed = await runAs('delay', delay, environment);
        expect(failed.code, failed.log).to.equal(2);
        expect(failed.log).to.include(problem);
        // The client's default retries would reconnect for about 15 s with backoff.
        expect(Date.now() - started).to.be.below(10_000);
        const attempts = failed.log.match(/kafkajs: Connecting|Connection error/g) ?? [];
        expect(attempts.length, failed.log).to.be.at.most(1);
        expect(failed.log).not.to.include(broker.password('delay'));
      }),
    );
  });
});
