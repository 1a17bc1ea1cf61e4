import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  spawnCli,
  testBrokers,
  uniqueName,
  type CliProcess,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';

/** A `ricochet run main` process whose handler writes each call's key to a ledger file. */
export interface HandlerService {
  readonly service: CliProcess;
  readonly ledger: string;
}

/** A file for a handler fixture to write each call's key to (RICOCHET_TEST_LEDGER). */
export function newLedger(): string {
  return join(mkdtempSync(join(tmpdir(), 'ricochet-ledger-')), 'calls');
}

/** The keys the handler was called for, one per call, in order. */
export function ledgerCalls(ledger: string): string[] {
  return existsSync(ledger) ? readFileSync(ledger, 'utf8').split('\n').filter(Boolean) : [];
}

/** Starts a main service with no HTTP endpoints unless `extra` asks for them. */
export function startHandlerService(options: {
  readonly handler: string;
  readonly topic: string;
  readonly group: string;
  readonly tiers: string;
  readonly dlq?: string;
  readonly ledger?: string;
  /** Whether a group with no committed offset reads the source from its beginning; default yes. */
  readonly fromBeginning?: boolean;
  readonly extra?: readonly string[];
}): HandlerService {
  const ledger = options.ledger ?? newLedger();
  const service = spawnCli(
    [
      'run',
      'main',
      '--max-wait-ms',
      String(testMaxWaitMilliseconds),
      '--topic',
      options.topic,
      '--group',
      options.group,
      '--handler',
      options.handler,
      '--tiers',
      options.tiers,
      '--dlq',
      options.dlq ?? uniqueName('dlq'),
      ...(options.fromBeginning === false ? [] : ['--from-beginning']),
      '--brokers',
      testBrokers().join(','),
      '--http-port',
      '0',
      ...(options.extra ?? []),
    ],
    { RICOCHET_TEST_LEDGER: ledger },
  );
  return { service, ledger };
}
