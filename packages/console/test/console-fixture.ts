import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchiveStore, type ArchiveInput, type ArchiveStore } from '@ricochet/archive';
import {
  startConsole,
  credentialsFromEnvironment,
  type ConsoleOptions,
  type RunningConsole,
} from '@ricochet/console';
import { RetryHeader } from '@ricochet/core';
import { testLogger } from '@ricochet/testing';
import { createValueDescriber } from '@ricochet/value-decoder';

export const operatorToken = 'operator-token-0123456789';
export const viewerToken = 'viewer-token-0123456789ab';
export const viewerUser = { name: 'vera', password: 'vera-password-1' };
export const operatorUser = { name: 'otto', password: 'otto-password-1' };

/** What attackers put in records: each tries to run script in the console's pages. */
export const hostile = {
  script: '<script>window.__xss = 1; alert(1)</script>',
  image: '"><img src=x onerror="window.__xss = 2; alert(2)">',
  url: 'javascript:window.__xss=3;alert(3)',
};

let offset = 0;

export function deadLetter(overrides: Partial<ArchiveInput> = {}): ArchiveInput {
  offset += 1;
  const now = Date.now();
  return {
    dlqTopic: 'dlq',
    dlqPartition: 0,
    dlqOffset: String(offset),
    originalTopic: 'orders',
    originalPartition: 1,
    originalOffset: String(100 + offset),
    originalTimestamp: now - 60_000,
    key: Buffer.from(`order-${offset}`),
    value: Buffer.from(JSON.stringify({ order: offset, amount: 12 })),
    headers: [
      { name: RetryHeader.tryCount, value: Buffer.from('4') },
      { name: RetryHeader.retryGroup, value: Buffer.from('billing') },
      { name: RetryHeader.dueAt, value: Buffer.from(String(now - 2_000)) },
      { name: 'content-type', value: Buffer.from('application/json') },
    ],
    tryCount: 4,
    retryGroup: 'billing',
    errorClass: 'TimeoutError',
    errorMessage: `charge of order ${offset} timed out after ${5000 + offset} ms`,
    errorStack: 'TimeoutError: charge timed out\n    at charge (billing.js:10:5)',
    firstFailureAt: now - 50_000,
    lastFailureAt: now - 1_000,
    deadLetterReason: 'retries-exhausted',
    searchableValue: null,
    ...overrides,
  };
}

/** The hostile record: key, value, headers and error message all carry script. */
export function hostileDeadLetter(): ArchiveInput {
  return deadLetter({
    originalTopic: 'hostile',
    key: Buffer.from(hostile.image),
    value: Buffer.from(`${hostile.script} ${hostile.url}`),
    headers: [
      { name: hostile.script, value: Buffer.from(hostile.image) },
      { name: 'link', value: Buffer.from(hostile.url) },
    ],
    errorClass: hostile.image,
    errorMessage: `${hostile.script} ${hostile.url}`,
    errorStack: hostile.script,
    deadLetterReason: 'non-retryable-error',
    retryGroup: hostile.image,
  });
}

export interface ConsoleFixture {
  readonly store: ArchiveStore;
  readonly console: RunningConsole;
  readonly storeUrl: string;
  close(): Promise<void>;
}

const credentialsEnvironment: NodeJS.ProcessEnv = {
  RICOCHET_CONSOLE_OPERATOR_TOKEN: operatorToken,
  RICOCHET_CONSOLE_VIEWER_TOKEN: viewerToken,
  RICOCHET_CONSOLE_USERS: `${viewerUser.name}:viewer:${viewerUser.password},${operatorUser.name}:operator:${operatorUser.password}`,
};

/**
 * A console on a fresh SQLite archive holding `records`, with tokens and users configured (the
 * environment given instead, `{}` for none); it replays only when given `openPublisher`.
 */
export async function startTestConsole(
  records: readonly ArchiveInput[],
  options: {
    readonly environment?: NodeJS.ProcessEnv;
    readonly openPublisher?: ConsoleOptions['openPublisher'];
  } = {},
): Promise<ConsoleFixture> {
  const logger = testLogger('console');
  const directory = mkdtempSync(join(tmpdir(), 'ricochet-console-'));
  const storeUrl = `sqlite:${join(directory, 'archive.db')}`;
  const store = await openArchiveStore(storeUrl, { logger, access: 'create' });
  await store.migrate();
  await store.insert(records);
  const running = await startConsole({
    store,
    describer: createValueDescriber({ logger }),
    logger,
    credentials: credentialsFromEnvironment(options.environment ?? credentialsEnvironment),
    host: '127.0.0.1',
    port: 0,
    localActor: 'local-tester',
    ...(options.openPublisher === undefined ? {} : { openPublisher: options.openPublisher }),
  });
  return {
    store,
    console: running,
    storeUrl,
    close: async () => {
      await running.close();
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
