import { expect } from 'chai';
import kafkajs from 'kafkajs';
import { aclEntryOf, type AclBinding } from '../src/acls.js';

const entryFor = (binding: Omit<AclBinding, 'principal'>) =>
  aclEntryOf({ ...binding, principal: 'User:billing' });

describe('aclEntryOf', () => {
  it('writes a literal topic ACL as an Allow from any host', () => {
    expect(
      entryFor({ resourceType: 'topic', name: 'orders', pattern: 'literal', operation: 'Read' }),
    ).to.deep.equal({
      resourceType: kafkajs.AclResourceTypes.TOPIC,
      resourceName: 'orders',
      resourcePatternType: kafkajs.ResourcePatternTypes.LITERAL,
      principal: 'User:billing',
      host: '*',
      operation: kafkajs.AclOperationTypes.READ,
      permissionType: kafkajs.AclPermissionTypes.ALLOW,
    });
  });

  it('keeps a prefixed group pattern and the cluster resource apart', () => {
    const group = entryFor({
      resourceType: 'group',
      name: 'ricochet-cli-order-',
      pattern: 'prefixed',
      operation: 'Read',
    });
    const cluster = entryFor({
      resourceType: 'cluster',
      name: 'kafka-cluster',
      pattern: 'literal',
      operation: 'IdempotentWrite',
    });
    expect([group.resourceType, group.resourcePatternType, cluster.resourceType]).to.deep.equal([
      kafkajs.AclResourceTypes.GROUP,
      kafkajs.ResourcePatternTypes.PREFIXED,
      kafkajs.AclResourceTypes.CLUSTER,
    ]);
    expect(cluster.operation).to.equal(kafkajs.AclOperationTypes.IDEMPOTENT_WRITE);
  });
});
