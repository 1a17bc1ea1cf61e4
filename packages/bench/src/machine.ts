import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { kcatVersion } from './kcat.js';
import { repositoryRoot } from './settings.js';

export interface MachineNotes {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGigabytes: number;
  readonly node: string;
  readonly kafka: string;
  readonly kcat: string;
  /** One-minute load average when the run ended: a busy machine reads slower on both sides. */
  readonly loadAverage: number;
}

/** The Apache Kafka version scripts/kafka runs (the local broker), from its Maven file. */
function localKafkaVersion(): string {
  const pom = readFileSync(join(repositoryRoot, 'infra', 'kafka', 'pom.xml'), 'utf8');
  return /<kafka\.version>(.*?)<\/kafka\.version>/.exec(pom)?.[1] ?? 'unknown';
}

export function describeMachine(brokerSource: string): MachineNotes {
  const processors = cpus();
  return {
    cpu: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryGigabytes: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    kafka:
      brokerSource === 'local broker'
        ? `Apache Kafka ${localKafkaVersion()}, single node (scripts/kafka)`
        : `${brokerSource}`,
    kcat: kcatVersion() ?? 'not installed',
    loadAverage: loadavg()[0] ?? 0,
  };
}

/** The commit the run measured, marked when the working tree had changes on top of it. */
export function describeCommit(): string {
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: repositoryRoot, encoding: 'utf8' }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') === ''
      ? commit
      : `${commit} (with uncommitted changes)`;
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message : String(error)})`;
  }
}
