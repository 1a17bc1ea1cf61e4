import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ChaosInfrastructureError } from './errors.js';

const run = promisify(execFile);

/**
 * Runs one of the repository's broker scripts (scripts/kafka, scripts/kafka-cluster) with the
 * run's own state directory and ports in `environment`; a failure carries the script's last
 * lines of stderr, prefixed by `what` (which script did what, for which broker).
 */
export async function runBrokerScript(
  script: string,
  args: readonly string[],
  environment: NodeJS.ProcessEnv,
  what: string,
): Promise<void> {
  try {
    await run(script, [...args], { env: environment, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? '';
    throw new ChaosInfrastructureError(
      `${what} failed` + (stderr === '' ? '' : `: ${stderr.split('\n').slice(-5).join(' | ')}`),
      { cause: error },
    );
  }
}
