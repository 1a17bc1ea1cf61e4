import { expect } from 'chai';
import kafkajs from 'kafkajs';
import { aclEntryOf } from '../src/acls.js';

describe('aclEntryOf', () => {
  it('writes a literal topic ACL as an Allow from any host', () => {
    expect(
      aclEntryOf({
        resourceType: 'topic',
        name: 'orders',
        pattern: 'literal',
        operation: 'Read',
        principal: 'User:billing',
      }),
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
    const group = aclEntryOf({
      resourceType: 'group',
      name: 'ricochet-cli-order-',
      pattern: 'prefixed',
      operation: 'Read',
      principal: 'User:ops',
    });
    expect(group.resourceType).to.equal(kafkajs.AclResourceTypes.GROUP);
    expect(group.resourcePatternType).to.equal(kafkajs.ResourcePatternTypes.PREFIXED);
    const cluster = aclEntryOf({
      resourceType: 'cluster',
      name: 'kafka-cluster',
      pattern: 'literal',
      operation: 'IdempotentWrite',
      principal: 'User:ops',
    });
    expect(cluster.resourceType).to.equal(kafkajs.AclResourceTypes.CLUSTER);
    expect(cluster.operation).to.equal(kafkajs.AclOperationTypes.IDEMPOTENT_WRITE);
  });
});
