import { randomInt } from 'node:crypto';
import { Writable } from 'node:stream';
import { runCli } from '@ricochet/cli';
import { tierTopicName } from '@ricochet/core';
import { uniqueName, withAdmin } from '@ricochet/testing';

/**
 * Tier topic names are fixed (`retry-<delay>`), so tests keep apart by their delays: odd
 * millisecond counts no other test or earlier run will pick.
 */
export interface TestTopology {
  readonly tiers: string;
  readonly tierTopics: readonly string[];
  readonly deadLetterTopic: string;
  readonly sourceTopic: string;
  readonly allTopics: readonly string[];
}

export function uniqueTopology(): TestTopology {
  const first = oddMilliseconds(1_000_001, 5_000_000);
  const second = oddMilliseconds(first + 1, first + 5_000_000);
  const deadLetterTopic = uniqueName('dlq');
  const sourceTopic = uniqueName('orders');
  const tierTopics = [tierTopicName(first), tierTopicName(second)];
  return {
    tiers: `${first}ms,${second}ms`,
    tierTopics,
    deadLetterTopic,
    sourceTopic,
    allTopics: [...tierTopics, deadLetterTopic, sourceTopic],
  };
}

/** Not a whole number of seconds, so the name keeps its `ms` and stays unusual. */
function oddMilliseconds(from: number, to: number): number {
  const value = randomInt(from, to);
  return value % 1_000 === 0 ? value + 1 : value;
}

export async function deleteTopicsIfPresent(topics: readonly string[]): Promise<void> {
  await withAdmin(async (admin) => {
    const listed = new Set(await admin.listTopics());
    const present = topics.filter((topic) => listed.has(topic));
    if (present.length > 0) {
      await admin.deleteTopics(present, {});
    }
  });
}

export interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly milliseconds: number;
}

class TextBuffer extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs the command line in-process, as bin.ts would, capturing what it writes. */
export async function ricochet(
  args: readonly string[],
  environment: NodeJS.ProcessEnv = {},
): Promise<CliRun> {
  const stdout = new TextBuffer();
  const stderr = new TextBuffer();
  const started = Date.now();
  const exitCode = await runCli(args, { stdout, stderr, environment });
  return { exitCode, stdout: stdout.text, stderr: stderr.text, milliseconds: Date.now() - started };
}
