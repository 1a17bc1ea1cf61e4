/**
 * What made a publish fail, as a short name for the summary: the broker's error code
 * (`NOT_ENOUGH_REPLICAS`, `NOT_LEADER_OR_FOLLOWER`) when one is anywhere in the chain of causes,
 * else the name of the innermost error (`KafkaJSConnectionError`).
 */
export function failureKind(error: unknown): string {
  let innermost = error;
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const type = (cause as { type?: unknown }).type;
    if (typeof type === 'string' && type !== '') {
      return type;
    }
    innermost = cause;
  }
  return innermost instanceof Error ? innermost.name : typeof innermost;
}
