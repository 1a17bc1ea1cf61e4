import type { OutgoingRecord } from '@ricochet/core';

/** Publishes records acknowledged; resolves once every one is acknowledged. */
export type Publish = (records: readonly OutgoingRecord[]) => Promise<unknown>;

interface Waiting {
  readonly records: readonly OutgoingRecord[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Publishes the records of the calls made while a request is in flight together, in one
 * request once it is acknowledged, in the order of the calls; each call still resolves only once
 * its own records are acknowledged. The publisher sends one request at a time anyway, so what
 * was one acknowledged round trip per call (each follower's append and its entry write, each
 * drain step's write, of every key at once) becomes one per request in flight.
 *
 * A request of several calls that fails is published again call by call, so that each call hears
 * of its own failure only (some of its records may then be written twice: at least once, as a
 * failed publish always allowed).
 */
export function coalescedPublish(publish: Publish): Publish {
  let waiting: Waiting[] = [];
  let inFlight = false;

  const publishAlone = async (call: Waiting): Promise<void> => {
    try {
      await publish(call.records);
      call.resolve();
    } catch (error) {
      call.reject(error);
    }
  };

  const sendWaiting = async (): Promise<void> => {
    while (waiting.length > 0) {
      const calls = waiting;
      waiting = [];
      if (calls.length === 1) {
        await publishAlone(calls[0]!);
        continue;
      }
      try {
        await publish(calls.flatMap((call) => call.records));
        for (const call of calls) {
          call.resolve();
        }
      } catch {
        for (const call of calls) {
          await publishAlone(call);
        }
      }
    }
    inFlight = false;
  };

  return (records) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ records, resolve, reject });
      if (!inFlight) {
        inFlight = true;
        void sendWaiting();
      }
    });
}
