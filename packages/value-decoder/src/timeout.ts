/**
 * Settles like `work`, or rejects with `onTimeout()` if `work` takes longer than `milliseconds`.
 * `work` itself keeps running; Promise.race has subscribed to it, so its late failure is not an
 * unhandled rejection.
 */
export async function withTimeout<T>(
  work: Promise<T>,
  milliseconds: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), milliseconds);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
