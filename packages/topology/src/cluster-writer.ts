import type { KafkaAdmin } from '@ricochet/kafka';
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
  admin: KafkaAdmin,
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
        admin.createTopics(
          creations.map(({ topic }) => ({
            topic: topic.name,
            partitions: topic.partitions,
            replicationFactor: topic.replicationFactor,
            configs: topic.configs,
          })),
          // Leaders must exist before the command returns, so that what follows can use the topics.
          { waitForLeaders: true, timeoutMilliseconds: topicOperationTimeoutMilliseconds },
        ),
    );
  }
  if (growths.length > 0) {
    await attemptOperation(
      `adding partitions to ${namesOf(growths.map((change) => change.topic))}`,
      () =>
        admin.createPartitions(
          growths.map(({ topic, to }) => ({ topic, count: to })),
          { timeoutMilliseconds: topicOperationTimeoutMilliseconds },
        ),
    );
  }
  if (configChanges.length > 0) {
    await attemptOperation(
      `setting configs of ${namesOf(configChanges.map((change) => change.topic))}`,
      () =>
        // Each change carries the complete set of topic-level configs Ricochet wants on the topic.
        admin.replaceTopicConfigs(configChanges.map(({ topic, configs }) => ({ topic, configs }))),
    );
  }
}

/** Deletes the topics, all of which must exist. */
export async function deleteTopics(admin: KafkaAdmin, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) {
    return;
  }
  await attemptOperation(`deleting ${namesOf(topics)}`, () =>
    admin.deleteTopics(topics, { timeoutMilliseconds: topicOperationTimeoutMilliseconds }),
  );
}

function namesOf(topics: readonly string[]): string {
  return `topic${topics.length === 1 ? '' : 's'} ${topics.join(', ')}`;
}
