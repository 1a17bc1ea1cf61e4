/** Runs each key's steps one after another, and different keys' steps side by side. */
export class KeyQueues {
  /** The last step queued for each key with steps in hand. */
  readonly #queues = new Map<string, Promise<unknown>>();

  /** Whether the key has steps in hand. */
  has(id: string): boolean {
    return this.#queues.has(id);
  }

  /** Runs `step` once every step queued before it for the key is done. */
  run<T>(id: string, step: () => Promise<T>): Promise<T> {
    const before = this.#queues.get(id) ?? Promise.resolve();
    const run = before.then(step, step);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(id, tail);
    void tail.then(() => {
      if (this.#queues.get(id) === tail) {
        this.#queues.delete(id);
      }
    });
    return run;
  }
}
