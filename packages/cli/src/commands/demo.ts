import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
// The settings entry only: the package's root loads the SQLite and PostgreSQL drivers.
import { defaultStoreUrl } from '@ricochet/archive/settings';
import { defaultConsolePort } from '@ricochet/console';
import { defaultDeadLetterTopic, formatTierLadder, parseTierLadder } from '@ricochet/core';
import { createKafkaClient, createReliableProducer } from '@ricochet/kafka';
import { compileTopologyOptions, createTopology, withTopologyAdmin } from '@ricochet/topology';
import { brokersFrom } from '../brokers.js';
import { cliLogger } from '../cli-logger.js';
import type { CommandOutcome } from '../command-outcome.js';
import { ExitCode } from '../exit-codes.js';
import { writeLine, type CliIo } from '../io.js';
import { parsePrometheusText, type Sample } from '../demo/prometheus-text.js';
import {
  fetchText,
  startCli,
  startService,
  stopServices,
  waitUntilReady,
  type DemoService,
} from '../demo/services.js';
import { renderSummary, summarize } from '../demo/summary.js';
import { demoRecord } from '../demo/traffic.js';

const sampleHandler = fileURLToPath(new URL('../../dist/demo/sample-handler.js', import.meta.url));
const trafficTickMilliseconds = 250;
const delayLayouts = ['per-tier', 'all-tiers'] as const;
type DelayLayout = (typeof delayLayouts)[number];
const summaryTickMilliseconds = 1_000;

async function scrape(service: DemoService): Promise<Sample[]> {
  const answer = await fetchText(`http://127.0.0.1:${service.httpPort}/metrics`).catch(
    () => undefined,
  );
  return answer === undefined ? [] : parsePrometheusText(answer.text);
}

export function demoCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'demo',
    describe:
      'run a live pipeline: sample handler, every delay tier, the archiver, the console and traffic, until Ctrl-C',
    builder: (yargs) =>
      yargs
        .option('brokers', {
          type: 'string',
          describe: 'bootstrap brokers (default: $KAFKA_BROKERS)',
        })
        .option('tiers', {
          type: 'string',
          default: '2s,5s,10s',
          describe: 'retry ladder (short, to see it work)',
        })
        .option('topic', { type: 'string', default: 'ricochet-demo-orders' })
        .option('group', { type: 'string', default: 'ricochet-demo' })
        .option('dlq', { type: 'string', default: defaultDeadLetterTopic })
        .option('store', { type: 'string', default: defaultStoreUrl })
        .option('rate', { type: 'number', default: 40, describe: 'records per second' })
        .option('duration', {
          type: 'number',
          default: 0,
          describe: 'seconds to run (0: until Ctrl-C)',
        })
        .option('base-port', {
          type: 'number',
          default: 9470,
          describe: 'first of the services’ HTTP ports',
        })
        .option('console-port', {
          type: 'number',
          default: defaultConsolePort,
          describe: 'the console’s port, on 127.0.0.1',
        })
        .option('delay-layout', {
          choices: delayLayouts,
          default: 'per-tier' as DelayLayout,
          describe:
            'per-tier: a delay process per tier (each scales apart); all-tiers: one process serving every tier',
        })
        .option('log-folder', { type: 'string', default: './ricochet-demo-logs' }),
    run: async (argv) => {
      const brokers = brokersFrom(argv.brokers, io);
      const ladder = parseTierLadder(argv.tiers, '--tiers');
      const logger = cliLogger(false, io.stderr);
      const logFolder = resolve(argv.logFolder);
      await withTopologyAdmin({ brokers, clientId: 'ricochet-demo', logger }, (admin) =>
        createTopology(
          admin,
          compileTopologyOptions({
            tiers: ladder,
            deadLetterTopic: argv.dlq,
            sourceTopics: [argv.topic],
            partitions: 3,
          }),
        ),
      );
      const common = ['--brokers', brokers.join(','), '--dlq', argv.dlq];
      const main = startService(
        'main',
        [
          'main',
          '--topic',
          argv.topic,
          '--group',
          argv.group,
          '--handler',
          sampleHandler,
          '--tiers',
          formatTierLadder(ladder),
          ...common,
        ],
        argv.basePort,
        logFolder,
      );
      const delays =
        argv.delayLayout === 'all-tiers'
          ? [
              startService(
                'delay-all-tiers',
                ['delay', '--all-tiers', '--tiers', formatTierLadder(ladder), ...common],
                argv.basePort + 1,
                logFolder,
              ),
            ]
          : ladder.map((tier, index) =>
              startService(
                `delay-${tier.topic}`,
                ['delay', '--tier', tier.topic, ...common],
                argv.basePort + 1 + index,
                logFolder,
              ),
            );
      const archiver = startService(
        'dlq',
        ['dlq', '--store', argv.store, ...common],
        argv.basePort + 1 + ladder.length,
        logFolder,
      );
      const services: DemoService[] = [main, ...delays, archiver];
      // In their own process group the services would outlive a demo that dies unexpectedly.
      process.once('exit', () => {
        services
          .filter((service) => service.process.exitCode === null)
          .forEach((service) => service.process.kill('SIGTERM'));
      });
      writeLine(io.stderr, `starting ${services.length} services (logs in ${logFolder}) ...`);

      const producer = createReliableProducer(
        createKafkaClient({ brokers, clientId: 'ricochet-demo-traffic', logger }),
      );
      let produced = 0;
      let stopping = false;
      const stopped = new Promise<void>((resolveStop) => {
        const stop = (): void => {
          stopping = true;
          resolveStop();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        if (argv.duration > 0) {
          setTimeout(stop, argv.duration * 1_000).unref();
        }
      });
      const isTerminal = 'isTTY' in io.stdout && io.stdout.isTTY === true;
      const report = async (final: boolean): Promise<void> => {
        const delaySamples: Sample[][] = [];
        for (const delay of delays) {
          delaySamples.push(await scrape(delay));
        }
        const line = renderSummary(
          summarize({
            produced,
            main: await scrape(main),
            tiers: ladder.map((tier) => tier.topic),
            delays: delaySamples,
            archiver: await scrape(archiver),
          }),
        );
        io.stdout.write(isTerminal && !final ? `\r\u001b[2K${line}` : `${line}\n`);
      };

      try {
        await waitUntilReady(services, 60_000);
        // After the archiver is ready: it creates the archive, which the console only opens.
        const consoleService = startCli(
          'console',
          [
            'console',
            '--store',
            argv.store,
            '--brokers',
            brokers.join(','),
            '--host',
            '127.0.0.1',
            '--port',
            String(argv.consolePort),
            '--log-format',
            'json',
          ],
          argv.consolePort,
          logFolder,
        );
        services.push(consoleService);
        await waitUntilReady([consoleService], 60_000);
        writeLine(io.stderr, `console at http://127.0.0.1:${argv.consolePort}`);
        await producer.connect();
        writeLine(
          io.stderr,
          `running: ${argv.rate} orders/s into ${argv.topic}, tiers ${formatTierLadder(ladder)}; Ctrl-C to stop`,
        );
        const perTick = Math.max(1, Math.round((argv.rate * trafficTickMilliseconds) / 1_000));
        let lastReport = 0;
        while (!stopping) {
          const batch = Array.from({ length: perTick }, (_, index) =>
            demoRecord(argv.topic, produced + index),
          );
          await producer.publishAcknowledged(batch);
          produced += batch.length;
          const reportEvery = isTerminal ? summaryTickMilliseconds : 5 * summaryTickMilliseconds;
          if (Date.now() - lastReport >= reportEvery) {
            lastReport = Date.now();
            await report(false);
          }
          await Promise.race([
            stopped,
            new Promise((tick) => setTimeout(tick, trafficTickMilliseconds)),
          ]);
        }
      } finally {
        await producer.disconnect();
        if (isTerminal) {
          io.stdout.write('\n');
        }
        await report(true).catch(() => undefined);
        writeLine(io.stderr, 'stopping the services ...');
        await stopServices(services, 20_000);
      }
      const failed = services.filter((service) => service.process.exitCode !== 0);
      writeLine(
        io.stdout,
        `\nInspect the dead letters: npx ricochet dlq list --store ${argv.store}`,
      );
      writeLine(io.stdout, `Service logs: ${logFolder}`);
      for (const service of failed) {
        writeLine(
          io.stderr,
          `${service.name} did not stop cleanly (exit ${service.process.exitCode ?? service.process.signalCode}); see ${service.logFile}`,
        );
      }
      return failed.length === 0 ? ExitCode.success : ExitCode.failure;
    },
  });
}
