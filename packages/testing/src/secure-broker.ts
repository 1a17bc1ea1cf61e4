import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createKafkaClient, type KafkaClient } from '@ricochet/kafka';
import { grantAcls, revokeAcls, type AclBinding } from '@ricochet/kafka/acls';
import { kafkaScript } from './broker.js';
import { testLogger } from './logger.js';

const run = promisify(execFile);

/** Ports of the secure broker: SASL_SSL, SSL (client certificates) and its controller. */
export interface SecureBrokerPorts {
  readonly saslSsl: number;
  readonly ssl: number;
  readonly controller: number;
}

/**
 * An ACL as docs/operations-contract.md writes it: `Read` on `topic orders`, granted to one user
 * (whose principal the broker supplies) under the resource's literal name.
 */
export type Acl = Omit<AclBinding, 'principal' | 'pattern'>;

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
  const bindingsOf = (user: string, acls: readonly Acl[]): AclBinding[] =>
    acls.map((acl) => ({ ...acl, pattern: 'literal', principal: `User:${user}` }));
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
    grant: (user, acls) => grantAcls(adminClient(), bindingsOf(user, acls)),
    revoke: (user, acls) => revokeAcls(adminClient(), bindingsOf(user, acls)),
    stop: async () => {
      await script('reset');
    },
  };
}
