import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseBrokerList } from '@ricochet/kafka';

const run = promisify(execFile);

/** scripts/kafka, found from this file whether it runs from src/ or dist/. */
export const kafkaScript = fileURLToPath(new URL('../../../scripts/kafka', import.meta.url));

export interface TestBroker {
  readonly brokers: string[];
  readonly source: 'KAFKA_BROKERS' | 'testcontainers' | 'local broker';
  /** Stops what resolution started; a broker that was already there is left running. */
  stop(): Promise<void>;
}

const kafkaImage = 'confluentinc/cp-kafka:7.9.0';

/**
 * Finds a real broker for tests, in this order: KAFKA_BROKERS if set; a Kafka container if a
 * Docker engine answers; otherwise the project's local broker (scripts/kafka), started if needed.
 */
export async function resolveTestBroker(
  environment: NodeJS.ProcessEnv = process.env,
): Promise<TestBroker> {
  const fromEnvironment = environment.KAFKA_BROKERS;
  if (fromEnvironment !== undefined && fromEnvironment.trim() !== '') {
    return {
      brokers: parseBrokerList(fromEnvironment, 'KAFKA_BROKERS'),
      source: 'KAFKA_BROKERS',
      stop: async () => {},
    };
  }
  if (await dockerAnswers(environment)) {
    return startContainer();
  }
  return startLocalBroker();
}

async function dockerAnswers(environment: NodeJS.ProcessEnv): Promise<boolean> {
  if (environment.DOCKER_HOST === undefined && !existsSync('/var/run/docker.sock')) {
    return false;
  }
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startContainer(): Promise<TestBroker> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer(kafkaImage).withKraft().start();
  return {
    brokers: [`${container.getHost()}:${container.getMappedPort(9093)}`],
    source: 'testcontainers',
    stop: async () => {
      await container.stop();
    },
  };
}

async function startLocalBroker(): Promise<TestBroker> {
  const alreadyRunning = await run(kafkaScript, ['status']).then(
    () => true,
    () => false,
  );
  if (!alreadyRunning) {
    await run(kafkaScript, ['start'], { maxBuffer: 16 * 1024 * 1024 });
  }
  const port = process.env.RICOCHET_KAFKA_PORT ?? '29092';
  return {
    brokers: [`127.0.0.1:${port}`],
    source: 'local broker',
    stop: async () => {
      if (!alreadyRunning) {
        await run(kafkaScript, ['stop']);
      }
    },
  };
}
