import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { createKafkaClient, type KafkaClient } from '@ricochet/kafka';
import { kafkajsClientOf } from '@ricochet/kafka/kafkajs';
import { kafkaScript } from './broker.js';
import { testLogger } from './logger.js';

const run = promisify(execFile);

/** Ports of the secure broker: SASL_SSL, SSL (client certificates) and its controller. */
export interface SecureBrokerPorts {
  readonly saslSsl: number;
  readonly ssl: number;
  readonly controller: number;
}

/** An ACL as docs/operations-contract.md writes it: `Read` on `topic orders`, for one principal. */
export interface Acl {
  readonly resource: 'topic' | 'group' | 'cluster';
  /** A literal name (for `cluster`: `kafka-cluster`), or a prefix when `prefixed`. */
  readonly name: string;
  readonly operation:
    | 'Read'
    | 'Write'
    | 'Describe'
    | 'DescribeConfigs'
    | 'Create'
    | 'AlterConfigs'
    | 'Alter'
    | 'Delete';
  readonly prefixed?: boolean;
}

/**
 * A private broker that requires SASL_SSL (SCRAM-SHA-512) or SSL client certificates and
 * authorizes with ACLs (scripts/kafka with RICOCHET_KAFKA_SECURE=1). Every user has a SCRAM
 * password and a client certificate whose CN is the user's name.
 */
export interface SecureBroker {
  readonly saslSsl: string;
  readonly ssl: string;
  /** Where the keys, certificates (`ca.pem`, `client-NAME.pem`, ...) and passwords are. */
  readonly secrets: string;
  readonly caFile: string;
  password(user: string): string;
  /** What a `ricochet` process needs to connect as `user` over SASL_SSL (the documented variables). */
  saslEnvironment(user: string): NodeJS.ProcessEnv;
  /** The same over SSL, authenticated by the user's client certificate (and no SASL). */
  certificateEnvironment(user: string): NodeJS.ProcessEnv;
  /** A client of the test itself, as the super user admin. */
  adminClient(): KafkaClient;
  /** Grants, or with `revoke` takes back, ACLs (Allow, from any host) for User:`user`. */
  grant(user: string, acls: readonly Acl[]): Promise<void>;
  revoke(user: string, acls: readonly Acl[]): Promise<void>;
  /** Stops the broker and deletes its data, keys and passwords. */
  stop(): Promise<void>;
}

const stateRoot = fileURLToPath(new URL('../../../.state', import.meta.url));

const resourceTypes = {
  topic: kafkajs.AclResourceTypes.TOPIC,
  group: kafkajs.AclResourceTypes.GROUP,
  cluster: kafkajs.AclResourceTypes.CLUSTER,
} as const;

const operations = {
  Read: kafkajs.AclOperationTypes.READ,
  Write: kafkajs.AclOperationTypes.WRITE,
  Describe: kafkajs.AclOperationTypes.DESCRIBE,
  DescribeConfigs: kafkajs.AclOperationTypes.DESCRIBE_CONFIGS,
  Create: kafkajs.AclOperationTypes.CREATE,
  AlterConfigs: kafkajs.AclOperationTypes.ALTER_CONFIGS,
  Alter: kafkajs.AclOperationTypes.ALTER,
  Delete: kafkajs.AclOperationTypes.DELETE,
} as const;

/** Starts a fresh secure broker named `name` (state under <repo>/.state/<name>) with `users`. */
export async function startSecureBroker(
  name: string,
  ports: SecureBrokerPorts,
  users: readonly string[],
): Promise<SecureBroker> {
  const stateDirectory = join(stateRoot, name);
  const environment = {
    ...process.env,
    RICOCHET_STATE_DIR: stateDirectory,
    RICOCHET_KAFKA_SECURE: '1',
    RICOCHET_KAFKA_PORT: String(ports.saslSsl),
    RICOCHET_KAFKA_SSL_PORT: String(ports.ssl),
    RICOCHET_KAFKA_CONTROLLER_PORT: String(ports.controller),
    RICOCHET_KAFKA_USERS: users.join(' '),
  };
  const script = (command: string) =>
    run(kafkaScript, [command], { env: environment, maxBuffer: 16 * 1024 * 1024 });
  // Left over from an interrupted run: stopped and emptied, so every run has new keys and users.
  await script('reset');
  await script('start');
  const secrets = join(stateDirectory, 'kafka', 'secrets');
  const saslSsl = `127.0.0.1:${ports.saslSsl}`;
  const ssl = `127.0.0.1:${ports.ssl}`;
  const caFile = join(secrets, 'ca.pem');
  const password = (user: string): string =>
    readFileSync(join(secrets, `${user}.password`), 'utf8').trim();
  const adminClient = (): KafkaClient =>
    createKafkaClient({
      brokers: [saslSsl],
      clientId: 'ricochet-test-admin',
      ssl: { ca: readFileSync(caFile) },
      sasl: { mechanism: 'scram-sha-512', username: 'admin', password: password('admin') },
      logger: testLogger('secure-admin'),
    });
  const changeAcls = async (
    user: string,
    acls: readonly Acl[],
    change: 'grant' | 'revoke',
  ): Promise<void> => {
    const admin = kafkajsClientOf(adminClient()).admin();
    await admin.connect();
    try {
      const entries = acls.map((acl) => ({
        resourceType: resourceTypes[acl.resource],
        resourceName: acl.name,
        resourcePatternType:
          acl.prefixed === true
            ? kafkajs.ResourcePatternTypes.PREFIXED
            : kafkajs.ResourcePatternTypes.LITERAL,
        principal: `User:${user}`,
        host: '*',
        operation: operations[acl.operation],
        permissionType: kafkajs.AclPermissionTypes.ALLOW,
      }));
      if (change === 'grant') {
        await admin.createAcls({ acl: entries });
      } else {
        await admin.deleteAcls({ filters: entries });
      }
    } finally {
      await admin.disconnect();
    }
  };
  return {
    saslSsl,
    ssl,
    secrets,
    caFile,
    password,
    saslEnvironment: (user) => ({
      KAFKA_BROKERS: saslSsl,
      RICOCHET_SASL_MECHANISM: 'scram-sha-512',
      RICOCHET_SASL_USERNAME: user,
      RICOCHET_SASL_PASSWORD: password(user),
      RICOCHET_TLS: 'true',
      RICOCHET_TLS_CA_FILE: caFile,
    }),
    certificateEnvironment: (user) => ({
      KAFKA_BROKERS: ssl,
      // Empty counts as not set: these may override a SASL environment.
      RICOCHET_SASL_MECHANISM: '',
      RICOCHET_SASL_USERNAME: '',
      RICOCHET_SASL_PASSWORD: '',
      RICOCHET_TLS: 'true',
      RICOCHET_TLS_CA_FILE: caFile,
      RICOCHET_TLS_CERT_FILE: join(secrets, `client-${user}.pem`),
      RICOCHET_TLS_KEY_FILE: join(secrets, `client-${user}.key`),
    }),
    adminClient,
    grant: (user, acls) => changeAcls(user, acls, 'grant'),
    revoke: (user, acls) => changeAcls(user, acls, 'revoke'),
    stop: async () => {
      await script('reset');
    },
  };
}
