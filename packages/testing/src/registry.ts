import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** scripts/registry, found from this file whether it runs from src/ or dist/. */
export const registryScript = fileURLToPath(new URL('../../../scripts/registry', import.meta.url));

export interface TestRegistry {
  /** Base URL of the Confluent-compatible API, e.g. http://127.0.0.1:28081/apis/ccompat/v7. */
  readonly url: string;
  readonly source: 'SCHEMA_REGISTRY_URL' | 'local registry';
  /** Stops what resolution started; a registry that was already there is left running. */
  stop(): Promise<void>;
}

/**
 * Finds a real Confluent-compatible schema registry for tests: SCHEMA_REGISTRY_URL if set,
 * otherwise the project's local Apicurio Registry (scripts/registry), started if needed.
 */
export async function resolveTestRegistry(
  environment: NodeJS.ProcessEnv = process.env,
): Promise<TestRegistry> {
  const fromEnvironment = environment.SCHEMA_REGISTRY_URL?.trim();
  if (fromEnvironment !== undefined && fromEnvironment !== '') {
    return { url: fromEnvironment, source: 'SCHEMA_REGISTRY_URL', stop: async () => {} };
  }
  const options = { env: environment, maxBuffer: 16 * 1024 * 1024 };
  const alreadyRunning = await run(registryScript, ['status'], options).then(
    () => true,
    () => false,
  );
  if (!alreadyRunning) {
    await run(registryScript, ['start'], options);
  }
  const port = environment.RICOCHET_REGISTRY_PORT ?? '28081';
  return {
    url: `http://127.0.0.1:${port}/apis/ccompat/v7`,
    source: 'local registry',
    stop: async () => {
      if (!alreadyRunning) {
        await run(registryScript, ['stop'], options);
      }
    },
  };
}

/** The registry the global test setup resolved (it exports it as SCHEMA_REGISTRY_URL). */
export function testRegistryUrl(): string {
  const url = process.env.SCHEMA_REGISTRY_URL;
  if (url === undefined || url.trim() === '') {
    throw new Error(
      'SCHEMA_REGISTRY_URL is not set: run the tests through mocha so test/setup.ts resolves a registry',
    );
  }
  return url.trim();
}
