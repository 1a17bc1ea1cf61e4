import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from '../settings.js';
import type { MeteredThroughput } from '../statistics.js';

/** The Maven project of the Java peer (Confluent's Parallel Consumer). */
const projectDirectory = join(repositoryRoot, 'packages', 'bench', 'java', 'parallel-consumer');
const mainClass = 'dev.ricochet.bench.ParallelConsumerSide';

export interface ParallelConsumerRequest {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  readonly records: number;
  readonly handlerDelayMilliseconds: number;
  /** Parallel Consumer's `maxConcurrency`: records handled at once, as Ricochet's maxInFlight. */
  readonly maxConcurrency: number;
}

/** The build's place: the ignored state directory, as scripts/kafka keeps its own. */
function buildDirectory(): string {
  const state = process.env['RICOCHET_STATE_DIR'] ?? join(repositoryRoot, '.state');
  return join(state, 'bench', 'parallel-consumer');
}

/** A digest of the project's files (the POM and the sources), naming the build they make. */
function sourceDigest(): string {
  const hash = createHash('sha256');
  const files = readdirSync(projectDirectory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) {
    hash.update(relative(projectDirectory, file)).update('\0').update(readFileSync(file));
  }
  return hash.digest('hex');
}

/**
 * Builds the Java peer with Maven unless the build of these very sources is there, and returns
 * its class path. The first build fetches Parallel Consumer and kafka-clients from Maven Central.
 */
export async function buildParallelConsumer(progress: (message: string) => void): Promise<string> {
  const directory = buildDirectory();
  const stamp = join(directory, '.sources-sha256');
  const digest = sourceDigest();
  const classPath = `${join(directory, 'parallel-consumer-side.jar')}:${join(directory, 'libs', '*')}`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
    return classPath;
  }
  progress(`building the Parallel Consumer side with Maven into ${directory}`);
  // Dependencies of an older build must not linger on the class path.
  rmSync(directory, { recursive: true, force: true });
  try {
    await promisify(execFile)(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        join(projectDirectory, 'pom.xml'),
        'package',
        `-Dbench.build.directory=${directory}`,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    throw new Error(`mvn could not build the Parallel Consumer side (${projectDirectory})`, {
      cause: error,
    });
  }
  writeFileSync(stamp, digest);
  return classPath;
}

/**
 * Runs Parallel Consumer in a JVM of its own until every record is handled, and returns the rate
 * it measured itself (first to last record handled), its CPU time per record and peak memory.
 */
export async function consumeWithParallelConsumer(
  classPath: string,
  request: ParallelConsumerRequest,
  timeoutMilliseconds: number,
): Promise<MeteredThroughput> {
  const child = spawn(
    'java',
    [
      '-cp',
      classPath,
      // Parallel Consumer's and the Kafka client's warnings only, on standard error.
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      mainClass,
      '--brokers',
      request.brokers.join(','),
      '--topic',
      request.topic,
      '--group-id',
      request.groupId,
      '--records',
      String(request.records),
      '--delay-ms',
      String(request.handlerDelayMilliseconds),
      '--max-concurrency',
      String(request.maxConcurrency),
      '--timeout-ms',
      String(timeoutMilliseconds),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  // The JVM gives up by itself at the timeout; this is for one that hangs on its way out.
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMilliseconds + 30_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  }).finally(() => clearTimeout(timer));
  const line = output.trim().split('\n').at(-1);
  if (code !== 0 || line === undefined || line === '') {
    throw new Error(`the Parallel Consumer side exited ${code} without a result`);
  }
  return JSON.parse(line) as MeteredThroughput;
}
