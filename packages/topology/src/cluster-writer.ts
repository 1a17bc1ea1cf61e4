import { ConfigResourceTypes, type Admin } from '@ricochet/kafka';
import type { TopologyChange } from './changes.js';
import { attemptOperation } from './errors.js';

/** How long the broker may take to create or delete topics before it answers with a timeout. */
const topicOperationTimeoutMilliseconds = 10_000;

type ChangeOf<Kind extends TopologyChange['kind']> = Extract<TopologyChange, { kind: Kind }>;

/**
 * Makes the changes in order, one request per kind. Not atomic: if a request fails, the changes
 * before it stay made, and running the same command again picks up from there.
 */
export async function applyChanges(
  admin: Admin,
  changes: readonly TopologyChange[],
): Promise<void> {
  const creations = changes.filter((change): change is ChangeOf<'create-topic'> => {
    return change.kind === 'create-topic';
  });
  const growths = changes.filter((change): change is ChangeOf<'add-partitions'> => {
    return change.kind === 'add-partitions';
  });
  const configChanges = changes.filter((change): change is ChangeOf<'set-configs'> => {
    return change.kind === 'set-configs';
  });
  if (creations.length > 0) {
    await attemptOperation(
      `creating ${namesOf(creations.map((change) => change.topic.name))}`,
      () =>
        admin.createTopics({
          // Leaders must exist before the command returns, so that what follows can use the topics.
          waitForLeaders: true,
          timeout: topicOperationTimeoutMilliseconds,
          topics: creations.map(({ topic }) => ({
            topic: topic.name,
            numPartitions: topic.partitions,
            replicationFactor: topic.replicationFactor,
            configEntries: Object.entries(topic.configs).map(([name, value]) => ({ name, value })),
          })),
        }),
    );
  }
  if (growths.length > 0) {
    await attemptOperation(
      `adding partitions to ${namesOf(growths.map((change) => change.topic))}`,
      () =>
        admin.createPartitions({
          timeout: topicOperationTimeoutMilliseconds,
          topicPartitions: growths.map(({ topic, to }) => ({ topic, count: to })),
        }),
    );
  }
  if (configChanges.length > 0) {
    await attemptOperation(
      `setting configs of ${namesOf(configChanges.map((change) => change.topic))}`,
      () =>
        // AlterConfigs replaces every topic-level config of a resource, so each change carries the
        // complete set Ricochet wants on that topic.
        admin.alterConfigs({
          validateOnly: false,
          resources: configChanges.map(({ topic, configs }) => ({
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
          })),
        }),
    );
  }
}

/** Deletes the topics, all of which must exist. */
export async function deleteTopics(admin: Admin, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) {
    return;
  }
  await attemptOperation(`deleting ${namesOf(topics)}`, () =>
    admin.deleteTopics({ topics: [...topics], timeout: topicOperationTimeoutMilliseconds }),
  );
}

function namesOf(topics: readonly string[]): string {
  return `topic${topics.length === 1 ? '' : 's'} ${topics.join(', ')}`;
}
