// `npm test`: every suite, as mocha runs side by side on a 2-core machine. Most integration tests
// wait on the broker (session timeouts, tier delays, restarts) rather than use the CPU, so runs
// side by side take about a third of the time of one (16 min in one run). Each run is serial
// within itself.
// - `shared` and `own` share one broker and one schema registry. `own` holds the files that start
//   brokers of their own (behind a fault proxy, a cluster, a secure one, one they restart) or use
//   only topics no other file touches; files that share topics (the pipeline fixture recreates
//   the tiers of its ladder, which the operations tests use too) all stay in `shared`, one after
//   another.
// - `librdkafka` runs the suites issue 17 names again on the librdkafka driver
//   (RICOCHET_KAFKA_DRIVER, which the tests and the services they start both read), on a broker
//   of its own: its pipeline tests recreate the same tier topics as `shared`'s.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { promisify, stripVTControlCharacters } from 'node:util';
import { kafkaScript } from '@ricochet/testing';
import { mochaGlobalSetup, mochaGlobalTeardown } from './setup.js';

const ownBrokersOrTopics = [
  'test/integration/lost-acknowledgement.test.ts',
  'test/integration/cluster-pipeline.test.ts',
  'test/integration/cluster-producer.test.ts',
  'test/integration/secure-broker.test.ts',
  'test/integration/broker-restart.test.ts',
  'test/integration/handler-crashes.test.ts',
  'test/integration/crashed-dead-letter-archive.test.ts',
  'test/integration/key-strict-faults.test.ts',
];

/** The suites that run on both drivers; every other file runs on the default one (kafkajs). */
const onEveryDriver = [
  'test/integration/pipeline.test.ts',
  'test/integration/delay-consumer.test.ts',
  'test/integration/archive-e2e.test.ts',
  'test/integration/archiver-store-down.test.ts',
  'test/integration/archiver-sqlite-faults.test.ts',
  'test/integration/archiver-postgres-stall.test.ts',
  'test/integration/resilience.test.ts',
  'test/integration/bad-input.test.ts',
  'test/integration/kafka-admin.test.ts',
  'test/integration/topology.test.ts',
  'test/integration/group-redelivery.test.ts',
  'test/integration/partition-reader.test.ts',
  'test/integration/order-cli-key-strict.test.ts',
  'test/integration/main-consumer-key-strict-copies.test.ts',
  'test/integration/main-consumer-key-strict.test.ts',
];

/** The librdkafka run's broker (scripts/kafka), apart from the shared one. */
const librdkafkaBroker = {
  RICOCHET_STATE_DIR: '.state/librdkafka-tests',
  RICOCHET_KAFKA_PORT: '29492',
  RICOCHET_KAFKA_CONTROLLER_PORT: '29493',
};

const missing = [...ownBrokersOrTopics, ...onEveryDriver].filter((file) => !existsSync(file));
if (missing.length > 0) {
  throw new Error(`test/run.ts names files that do not exist: ${missing.join(', ')}`);
}

const mocha = 'node_modules/mocha/bin/mocha.js';
interface MochaRun {
  readonly name: string;
  readonly args: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
}

const runs: readonly MochaRun[] = [
  {
    name: 'shared',
    args: [
      'packages/*/test/**/*.test.ts',
      'test/**/*.test.ts',
      ...ownBrokersOrTopics.flatMap((file) => ['--ignore', file]),
    ],
  },
  { name: 'own', args: ownBrokersOrTopics },
  {
    name: 'librdkafka',
    args: onEveryDriver,
    environment: {
      RICOCHET_KAFKA_DRIVER: 'librdkafka',
      KAFKA_BROKERS: `127.0.0.1:${librdkafkaBroker.RICOCHET_KAFKA_PORT}`,
    },
  },
];

const runScript = promisify(execFile);
const librdkafkaBrokerScript = (command: 'reset' | 'start') =>
  runScript(kafkaScript, [command], {
    env: { ...process.env, ...librdkafkaBroker },
    maxBuffer: 16 * 1024 * 1024,
  });

/**
 * The librdkafka driver is an optional dependency, a native addon built on install: without it
 * the run stops here, saying how to build it, rather than fail in every test of that run.
 */
function checkLibrdkafkaAddon(): void {
  try {
    createRequire(import.meta.url)('@confluentinc/kafka-javascript');
  } catch (error) {
    process.stderr.write(
      `npm test runs the suites on both Kafka drivers, and the librdkafka driver's addon is not built:\n  ${String(error)}\nBuild it as docs/drivers.md says (CKJS_LINKING=dynamic npm ci; .ci/run does it).\n`,
    );
    process.exit(1);
  }
}

const children = new Set<ChildProcess>();

/**
 * Mocha's report of the failures, from its `N failing` line on, kept per run: the runs end at
 * different times, so the report of one that ended early is repeated after the last (a CI log
 * cut to its tail still shows it).
 */
const failureReports = new Map<string, string[]>();
const failureReportLines = 150;

/** Runs one mocha, its lines prefixed with its name; resolves with its exit code. */
function runMocha({ name, args, environment }: MochaRun): Promise<number> {
  const started = Date.now();
  const child = spawn(process.execPath, [mocha, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...environment },
  });
  children.add(child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`[${name}] ${line}\n`);
      const report = failureReports.get(name);
      if (report !== undefined) {
        if (report.length < failureReportLines) {
          report.push(line);
        }
      } else if (/^ {2}\d+ failing$/.test(stripVTControlCharacters(line))) {
        failureReports.set(name, [line]);
      }
    });
  }
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      const seconds = Math.round((Date.now() - started) / 1000);
      process.stdout.write(`== ${name}: exit ${code ?? signal} after ${seconds} s\n`);
      resolve(code ?? 1);
    });
  });
}

// Stopped from outside (Ctrl-C, a CI time limit): the mocha runs are told too, and the broker and
// registry this run started are stopped once they have ended, as after a run to the end.
let stoppedBy: NodeJS.Signals | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stoppedBy = signal;
    for (const child of children) {
      child.kill(signal);
    }
  });
}

checkLibrdkafkaAddon();
// A broker left over from an interrupted run is emptied: every run starts clean.
await librdkafkaBrokerScript('reset');
let codes: number[] = [1];
try {
  // One after the other: on a fresh clone both would fetch the broker's jars into one folder.
  await mochaGlobalSetup();
  await librdkafkaBrokerScript('start');
  if (stoppedBy === undefined) {
    codes = await Promise.all(runs.map((run) => runMocha(run)));
  }
} finally {
  await Promise.all([mochaGlobalTeardown(), librdkafkaBrokerScript('reset')]);
}
for (const [name, report] of failureReports) {
  process.stdout.write(
    `== ${name}: its failures again\n${report.map((line) => `[${name}] ${line}\n`).join('')}`,
  );
}
runs.forEach(({ name }, index) => {
  process.stdout.write(`== ${name}: exit ${codes[index] ?? 'not run'}\n`);
});
process.exit(codes.some((code) => code !== 0) ? 1 : 0);
