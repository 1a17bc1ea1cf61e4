/**
 * The chaos run's handler, loaded by `ricochet run main --handler` exactly as a user's module
 * is. Each record's value carries its plan, so the decision depends on the record alone and any
 * process, any copy, decides alike. Every call is written to the ledger as it starts, before the
 * handler returns or throws: what the ledger holds happened, whatever becomes of the process next,
 * and the ledger's order is the order in which the main consumers handed records over. Each call
 * then waits the record's planned latency (a slow dependency), does what the plan says, and
 * writes its end to the ledger just before it returns or throws.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, NonRetryableError } from '@ricochet/core';
import type { HandlerRecord } from '@ricochet/main-consumer';
import { handlerTimeoutMilliseconds } from './fleet.js';
import { Ledger, ledgerVariable } from './ledger.js';
import { decodePlan, plannedOutcome } from './record-plan.js';

/** A failure a later try may not meet: retried through the tiers. */
class PlannedRetryableFailure extends Error {
  override name = 'PlannedRetryableFailure';
}

const ledgerPath = process.env[ledgerVariable];
if (ledgerPath === undefined || ledgerPath === '') {
  throw new ConfigError(ledgerVariable, 'must name the ledger file the chaos runner created');
}
const ledger = Ledger.open(ledgerPath);

/** Long past the handler timeout, so the main consumer gives up on the call first. */
const slowCallMilliseconds = 3 * handlerTimeoutMilliseconds;

/** The exit code of a process the handler crashes on purpose. */
const crashExitCode = 70;

export async function handler(record: HandlerRecord<Buffer | null>): Promise<void> {
  const invokedAt = Date.now();
  const plan = decodePlan(record.value);
  if (plan === undefined) {
    throw new NonRetryableError(`record at ${record.partition}@${record.offset} carries no plan`);
  }
  const outcome = plannedOutcome(plan, record.tryCount);
  const sequence = ledger.recordInvocation({
    recordId: plan.id,
    key: record.key === null ? null : record.key.toString('utf8'),
    tryCount: record.tryCount,
    invokedAt,
    dueAt: record.retry?.dueAt ?? null,
    pid: process.pid,
    outcome,
    partition: record.partition,
    offset: record.offset,
    originalPartition: record.retry?.original.partition ?? record.partition,
    originalOffset: record.retry?.original.offset ?? record.offset,
  });
  try {
    await sleep(plan.latencyMilliseconds);
    if (outcome === 'retryable-failure') {
      throw new PlannedRetryableFailure(
        `${plan.kind} record ${plan.id} fails try ${record.tryCount}`,
      );
    }
    if (outcome === 'non-retryable-failure') {
      throw new NonRetryableError(`record ${plan.id} can never succeed`);
    }
    if (outcome === 'outlasts-timeout') {
      await sleep(slowCallMilliseconds);
    }
    if (outcome === 'crashes-process') {
      process.exit(crashExitCode);
    }
  } finally {
    // Before the main consumer hears of the outcome: its next call of the key comes after this.
    ledger.recordEnd(sequence, Date.now());
  }
}
