#!/usr/bin/env node
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { describeFailure, UsageError } from '@ricochet/cli';
import { createLogger } from '@ricochet/logger';
import { ChaosInterruptedError } from './errors.js';
import { compileChaosOptions, type ChaosFlags } from './options.js';
import { profileNames } from './profiles.js';
import { repositoryRoot, runChaos } from './run.js';
import { renderSummary } from './summary.js';

/** 0: every check passed; 1: a check failed; 2: the run could not be carried out as asked. */
const ExitCode = { pass: 0, fail: 1, notRun: 2 } as const;

const text = (describe: string) => ({ type: 'string', describe }) as const;

const parser = yargs(hideBin(process.argv))
  .scriptName('npm run chaos --')
  .usage(
    '$0 [flags]\n\nReal services on a broker of its own, killed and restarted under traffic; ' +
      'then every record is accounted for. Flags override the profile. See docs/chaos.md.',
  )
  .option('profile', {
    type: 'string',
    choices: profileNames,
    describe: 'ci (default), long, key-strict-ci, key-strict, cluster-ci or cluster',
  })
  .option('records', text('records to produce'))
  .option('keys', text('distinct keys the records share'))
  .option('rate', text('records produced per second'))
  .option('kills-per-role', text('kill -9 of a random instance, per role (main, delay, dlq)'))
  .option('broker-restarts', text('broker restarts during the traffic'))
  .option('broker-restart', text('how the broker goes down: kill (SIGKILL, default) or stop'))
  .option(
    'lost-acks',
    text('produce acknowledgements lost, each followed by 20 s of refused connections'),
  )
  .option('seed', text('seed of every random choice; repeat a run with the seed it printed'))
  .option('tiers', text('the retry ladder'))
  .option('partitions', text('partitions of every topic'))
  .option('concurrency', text('partitions each main consumer handles at once'))
  .option('max-in-flight', text('records each main consumer handles at once'))
  .option(
    'ordering',
    text(
      'the main consumers’ ordering: key, key-strict, partition or unordered ' +
        '(default: the profile’s, else theirs, key)',
    ),
  )
  .option(
    'redelivery',
    text(
      'where due retries go back to: source (the original topic) or group (the group’s ' +
        'redelivery topic; default: the profile’s)',
    ),
  )
  .option('driver', text('the services’ Kafka driver: kafkajs or librdkafka (default kafkajs)'))
  .option(
    'max-handler-latency-ms',
    text('each handler call first waits 0 to this many ms (per record, from the seed)'),
  )
  .option('session-timeout-ms', text('the services’ group session timeout'))
  .option(
    'scale-tier',
    text('the tier scaled from 1 to --scale-to instances and back (default: the last)'),
  )
  .option('scale-to', text('instances of the scaled tier at its peak (default 3)'))
  .option('flaky-percent', text('records that fail 1 to 3 times, then succeed (default 10)'))
  .option('poison-percent', text('records that always fail (default 1)'))
  .option('non-retryable-percent', text('records that fail with NonRetryableError (default 1)'))
  .option('slow-percent', text('records that outlast the handler timeout once (default 0.5)'))
  .option('crashing-percent', text('records that crash the main process (default 0.1)'))
  .option('resolve-timeout', text('longest wait, after the chaos, for every record to be resolved'))
  .option('settle', text('how long to keep watching once all are resolved'))
  .option('start-timeout', text('longest wait for the services to be ready (default 90s)'))
  .option('state-dir', text('the broker’s data and the run directories (default .state/chaos)'))
  .option('broker-port', text('the chaos broker’s port (default 29192)'))
  .option('controller-port', text('the chaos broker’s controller port (default 29193)'))
  .option(
    'proxy-port',
    text(
      'the fault proxy the services connect through; the broker listens behind it on the next port (default 29194)',
    ),
  )
  .option('http-base-port', text('first of the services’ HTTP ports (default 29200)'))
  .option(
    'leader-kills',
    text('cluster: rounds of kill -9 of the leader of a source, a tier and a DLQ partition'),
  )
  .option(
    'broker-outages',
    text('cluster: a broker down (kill -9) for longer than the producers retry'),
  )
  .option('controlled-restarts', text('cluster: a broker stopped with SIGTERM and started again'))
  .option(
    'below-min-isr',
    text('cluster: a broker down and min.insync.replicas raised above the in-sync replicas'),
  )
  .option(
    'cluster-port',
    text('cluster: the first node’s port; the cluster uses 6 ports from there (default 29392)'),
  )
  .strict()
  .version(false)
  .help()
  .wrap(100)
  .exitProcess(false)
  .fail((message, error) => {
    throw error ?? new UsageError(message);
  });

const progress = createLogger({ service: 'chaos', level: 'info', format: 'pretty' });
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) {
      // A second signal: no more waiting. The 'exit' hook still kills what was started.
      process.exit(ExitCode.notRun);
    }
    progress.warn(`${signal}: stopping everything the run started`);
    controller.abort(new ChaosInterruptedError(signal));
  });
}

async function main(): Promise<number> {
  let flags: ChaosFlags & { help?: unknown };
  try {
    flags = (await parser.parseAsync()) as ChaosFlags;
  } catch (error) {
    process.stderr.write(`${describeFailure(error)}\nrun with --help for usage\n`);
    return ExitCode.notRun;
  }
  if (flags.help === true) {
    return ExitCode.pass;
  }
  try {
    const options = compileChaosOptions(flags, repositoryRoot, () => randomInt(2 ** 31));
    progress.info(
      `profile ${options.profile}, seed ${options.seed} (repeat with --seed ${options.seed})`,
    );
    const report = await runChaos(options, progress, controller.signal);
    const summary = renderSummary(report);
    writeFileSync(join(report.runDirectory, 'summary.txt'), `${summary}\n`);
    process.stdout.write(`\n${summary}\n`);
    return report.verdict.passed ? ExitCode.pass : ExitCode.fail;
  } catch (error) {
    process.stderr.write(`${describeFailure(error)}\n`);
    return ExitCode.notRun;
  }
}

process.exitCode = await main();
