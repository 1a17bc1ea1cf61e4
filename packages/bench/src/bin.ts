#!/usr/bin/env node
/**
 * `npm run bench`: every scenario against the local broker (KAFKA_BROKERS, else scripts/kafka,
 * started if needed), each printing its table; then the results file, the lateness charts and the
 * results section of docs/benchmarks.md. `--smoke` runs tiny sizes and writes to a temporary
 * directory; `--only happy-path,lateness` runs some scenarios; `--output DIR` says where to write.
 */
import { resolveTestBroker, uniqueName } from '@ricochet/testing';
import { BenchKafka } from './bench-kafka.js';
import { benchLogger } from './bench-logger.js';
import { describeCommit, describeMachine } from './machine.js';
import { formatResultTable } from './result-table.js';
import { writeResults } from './results-file.js';
import {
  noteTopicsBeforeRun,
  type BenchContext,
  type Scenario,
  type ScenarioResult,
} from './scenario.js';
import { archiveInsertRate } from './scenarios/archive-insert-rate.js';
import { burstRetry } from './scenarios/burst-retry.js';
import { consolePages } from './scenarios/console-pages.js';
import { happyPath } from './scenarios/happy-path.js';
import { holdingMemory } from './scenarios/holding-memory.js';
import { ioBound } from './scenarios/io-bound.js';
import { keyStrict } from './scenarios/key-strict.js';
import { redeliveryLateness } from './scenarios/redelivery-lateness.js';
import { retryRoundTrip } from './scenarios/retry-round-trip.js';
import { sharedTopic } from './scenarios/shared-topic.js';
import { tiersMemory } from './scenarios/tiers-memory.js';
import { readSettings } from './settings.js';

const scenarios: ReadonlyArray<readonly [string, Scenario]> = [
  ['happy-path', happyPath],
  ['retry-round-trip', retryRoundTrip],
  ['redelivery-lateness', redeliveryLateness],
  ['holding-memory', holdingMemory],
  ['tiers-memory', tiersMemory],
  ['archive-insert-rate', archiveInsertRate],
  ['io-bound', ioBound],
  ['key-strict', keyStrict],
  ['console', consolePages],
  ['burst-retry', burstRetry],
  ['shared-topic', sharedTopic],
];

const settings = readSettings(process.argv.slice(2));
const unknown = settings.only.filter((id) => !scenarios.some(([known]) => known === id));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown scenario(s): ${unknown.join(', ')}; known: ${scenarios.map(([id]) => id).join(', ')}\n`,
  );
  process.exit(2);
}
const selected = scenarios.filter(
  ([id]) => settings.only.length === 0 || settings.only.includes(id),
);
const startedAt = performance.now();
const progress = (message: string): void => {
  const elapsed = ((performance.now() - startedAt) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${elapsed} s] ${message}\n`);
};

const broker = await resolveTestBroker();
progress(
  `Kafka at ${broker.brokers.join(',')} (${broker.source})${settings.smoke ? ', smoke sizes' : ''}`,
);
const kafka = new BenchKafka(broker.brokers, benchLogger('bench'));
// A broker shared with the test suite keeps its tier topics (some of random delays).
noteTopicsBeforeRun(await kafka.listTopics());
const context: BenchContext = {
  settings,
  kafka,
  runId: uniqueName('bench'),
  outputDirectory: settings.outputDirectory,
  progress,
};
const results: ScenarioResult[] = [];
const failures: string[] = [];
try {
  for (const [id, scenario] of selected) {
    progress(`${id}: starting`);
    try {
      const result = await scenario(context);
      results.push(result);
      process.stdout.write(`\n${result.title}\n${formatResultTable(result.rows)}\n`);
      for (const note of result.notes) {
        process.stdout.write(`  note: ${note}\n`);
      }
    } catch (error) {
      failures.push(id);
      process.stderr.write(
        `${id} failed: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
    }
  }
} finally {
  progress("deleting the run's topics");
  await kafka.deleteTopics();
  await broker.stop();
}
const totalSeconds = (performance.now() - startedAt) / 1000;
const written = await writeResults(
  settings,
  {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    commit: describeCommit(),
    machine: describeMachine(broker.source),
    totalSeconds,
  },
  results,
);
process.stdout.write(`\nresults: ${written.join(', ')} (${totalSeconds.toFixed(0)} s in total)\n`);
if (failures.length > 0) {
  process.stderr.write(`failed: ${failures.join(', ')}\n`);
  process.exitCode = 1;
}
// The bench exits once its results are written, as its workers do: a connection a stopped
// service left open (a main consumer's redelivery look-up still under way when it stopped has
// been seen to reconnect its admin) must not keep it, and CI, waiting.
process.exit();
