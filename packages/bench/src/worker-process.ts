import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { profilingFlags } from './profiling.js';
import type { WorkerMessage, WorkerRequest } from './worker-protocol.js';

const workerEntry = fileURLToPath(new URL('./worker.js', import.meta.url));

/**
 * Runs one side of a scenario in a fresh Node process, so that both sides start from the same
 * state (no JIT warm-up, heap or sockets carried over from the other). `onReady` runs once the
 * worker's consumers own their partitions (for scenarios that produce only then).
 */
export async function runInWorker<T>(
  request: WorkerRequest,
  timeoutMilliseconds: number,
  onReady: () => Promise<void> = async () => {},
): Promise<T> {
  const child = fork(workerEntry, [JSON.stringify(request)], {
    execArgv: profilingFlags(),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<T>((resolve, reject) => {
    // Resolved only once the worker has exited, so that its clean-up (leaving the group,
    // closing sockets) never overlaps the next run.
    let result: { readonly value: T } | undefined;
    let failure: Error | undefined;
    const fail = (error: Error): void => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => fail(new Error(`${request.side} did not finish within ${timeoutMilliseconds} ms`)),
      timeoutMilliseconds,
    );
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') {
        onReady().catch((error: unknown) =>
          fail(new Error(`${request.side}: feeding the worker failed`, { cause: error })),
        );
      } else if (message.type === 'result') {
        result = { value: message.result as T };
      } else {
        fail(new Error(`${request.side} failed: ${message.message}`));
      }
    });
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (failure === undefined && result !== undefined) {
        resolve(result.value);
      } else {
        reject(
          failure ??
            new Error(`${request.side} exited (${signal ?? code}) before reporting a result`),
        );
      }
    });
  });
}
