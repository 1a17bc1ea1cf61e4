import { spawn, spawnSync } from 'node:child_process';

/** kcat's version and its librdkafka's (`1.7.1, librdkafka 2.0.2`), or undefined without kcat. */
export function kcatVersion(): string | undefined {
  const probe = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    return undefined;
  }
  const version = /^Version (\S+) .*?(librdkafka \S+)/m.exec(probe.stdout);
  return version === null ? 'unknown version' : `${version[1]}, ${version[2]}`;
}

/**
 * Reads a topic from the beginning to its end with kcat (librdkafka), printing only offsets, and
 * times the span from the first record printed to the last: the machine's practical ceiling.
 */
export async function consumeWithKcat(
  brokers: readonly string[],
  topic: string,
  expected: number,
): Promise<{ records: number; seconds: number; recordsPerSecond: number }> {
  const child = spawn(
    'kcat',
    ['-C', '-b', brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o\n'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let records = 0;
  let startedAt: number | undefined;
  let finishedAt = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    const now = performance.now();
    startedAt ??= now;
    for (const byte of chunk) {
      if (byte === 0x0a) {
        records += 1;
      }
    }
    finishedAt = now;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0 || records !== expected || startedAt === undefined) {
    throw new Error(`kcat exited ${code} after ${records} of ${expected} records`);
  }
  const seconds = (finishedAt - startedAt) / 1000;
  return { records, seconds, recordsPerSecond: records / seconds };
}
