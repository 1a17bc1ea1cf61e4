// `npm test`: every suite, as two mocha runs side by side on one broker and one schema registry.
// Most integration tests wait on the broker (session timeouts, tier delays, restarts) rather than
// use the CPU, so two runs at once take about half the time of one on a 2-core machine (16 min
// in one run). Each run is serial within itself. The second one holds the files that start
// brokers of their own (behind a fault proxy, a cluster, a secure one, one they restart) or use
// only topics no other file touches; files that share topics (the pipeline fixture recreates the
// tiers of its ladder, which the operations tests use too) all stay in the first, one after
// another.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { mochaGlobalSetup, mochaGlobalTeardown } from './setup.js';

const ownBrokersOrTopics = [
  'test/integration/lost-acknowledgement.test.ts',
  'test/integration/cluster-pipeline.test.ts',
  'test/integration/cluster-producer.test.ts',
  'test/integration/secure-broker.test.ts',
  'test/integration/broker-restart.test.ts',
  'test/integration/handler-crashes.test.ts',
  'test/integration/key-strict-faults.test.ts',
];

const missing = ownBrokersOrTopics.filter((file) => !existsSync(file));
if (missing.length > 0) {
  throw new Error(`test/run.ts names files that do not exist: ${missing.join(', ')}`);
}

const mocha = 'node_modules/mocha/bin/mocha.js';
const runs: ReadonlyArray<{ readonly name: string; readonly args: readonly string[] }> = [
  {
    name: 'shared',
    args: [
      'packages/*/test/**/*.test.ts',
      'test/**/*.test.ts',
      ...ownBrokersOrTopics.flatMap((file) => ['--ignore', file]),
    ],
  },
  { name: 'own', args: ownBrokersOrTopics },
];

const children = new Set<ChildProcess>();

/** Runs one mocha, its lines prefixed with its name; resolves with its exit code. */
function runMocha(name: string, args: readonly string[]): Promise<number> {
  const started = Date.now();
  const child = spawn(process.execPath, [mocha, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  children.add(child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`[${name}] ${line}\n`);
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

await mochaGlobalSetup();
let codes: number[] = [1];
try {
  if (stoppedBy === undefined) {
    codes = await Promise.all(runs.map((run) => runMocha(run.name, run.args)));
  }
} finally {
  await mochaGlobalTeardown();
}
process.exit(codes.some((code) => code !== 0) ? 1 : 0);
