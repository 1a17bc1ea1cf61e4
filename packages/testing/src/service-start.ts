/**
 * What made a service's start fail: the cause its start error wraps (ServiceStartError names the
 * service; the cause says why). Throws when the start succeeds.
 */
export async function startFailureCause(started: Promise<void>): Promise<unknown> {
  try {
    await started;
  } catch (error) {
    return error instanceof Error ? error.cause : undefined;
  }
  throw new Error('expected the start to fail; it succeeded');
}
