// The ACL entry (@ricochet/kafka/acls): granting and revoking ACLs as a cluster's operator does.
// Ricochet's services never change ACLs; the secure test broker does, and so may a user's tooling.
import kafkajs from 'kafkajs';
import { kafkajsClientOf, type KafkaClient } from './client.js';
import { adminErrorFrom } from './admin-guard.js';

export type AclResourceType = 'topic' | 'group' | 'cluster';

/** The operations docs/operations-contract.md asks of some role, as Kafka names them. */
export type AclOperation =
  | 'Read'
  | 'Write'
  | 'Describe'
  | 'DescribeConfigs'
  | 'Create'
  | 'AlterConfigs'
  | 'Alter'
  | 'Delete'
  | 'IdempotentWrite';

/** An Allow ACL from any host: `principal` may do `operation` on the resource. */
export interface AclBinding {
  readonly resourceType: AclResourceType;
  /** The resource's name (for `cluster`: `kafka-cluster`), or a prefix when `pattern` is `prefixed`. */
  readonly name: string;
  readonly pattern: 'literal' | 'prefixed';
  readonly operation: AclOperation;
  /** As Kafka writes it, e.g. `User:billing`. */
  readonly principal: string;
}

const resourceTypes: Record<AclResourceType, kafkajs.AclResourceTypes> = {
  topic: kafkajs.AclResourceTypes.TOPIC,
  group: kafkajs.AclResourceTypes.GROUP,
  cluster: kafkajs.AclResourceTypes.CLUSTER,
};

const operations: Record<AclOperation, kafkajs.AclOperationTypes> = {
  Read: kafkajs.AclOperationTypes.READ,
  Write: kafkajs.AclOperationTypes.WRITE,
  Describe: kafkajs.AclOperationTypes.DESCRIBE,
  DescribeConfigs: kafkajs.AclOperationTypes.DESCRIBE_CONFIGS,
  Create: kafkajs.AclOperationTypes.CREATE,
  AlterConfigs: kafkajs.AclOperationTypes.ALTER_CONFIGS,
  Alter: kafkajs.AclOperationTypes.ALTER,
  Delete: kafkajs.AclOperationTypes.DELETE,
  IdempotentWrite: kafkajs.AclOperationTypes.IDEMPOTENT_WRITE,
};

const patterns: Record<AclBinding['pattern'], kafkajs.ResourcePatternTypes> = {
  literal: kafkajs.ResourcePatternTypes.LITERAL,
  prefixed: kafkajs.ResourcePatternTypes.PREFIXED,
};

/** The binding as the client writes it; revoking matches exactly this entry. */
export function aclEntryOf(binding: AclBinding): kafkajs.AclEntry {
  return {
    resourceType: resourceTypes[binding.resourceType],
    resourceName: binding.name,
    resourcePatternType: patterns[binding.pattern],
    principal: binding.principal,
    host: '*',
    operation: operations[binding.operation],
    permissionType: kafkajs.AclPermissionTypes.ALLOW,
  };
}

async function changeAcls(
  client: KafkaClient,
  operation: 'grantAcls' | 'revokeAcls',
  bindings: readonly AclBinding[],
): Promise<void> {
  const admin = kafkajsClientOf(client).admin();
  try {
    await admin.connect();
    const entries = bindings.map(aclEntryOf);
    if (operation === 'grantAcls') {
      await admin.createAcls({ acl: entries });
    } else {
      await admin.deleteAcls({ filters: entries });
    }
  } catch (error) {
    throw adminErrorFrom(operation, error);
  } finally {
    await admin.disconnect();
  }
}

/** Creates the ACLs; the client's principal needs Alter on the cluster. Fails with an AdminOperationError. */
export function grantAcls(client: KafkaClient, bindings: readonly AclBinding[]): Promise<void> {
  return changeAcls(client, 'grantAcls', bindings);
}

/** Deletes exactly these ACLs (no wildcard matching). Fails with an AdminOperationError. */
export function revokeAcls(client: KafkaClient, bindings: readonly AclBinding[]): Promise<void> {
  return changeAcls(client, 'revokeAcls', bindings);
}
