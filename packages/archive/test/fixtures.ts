import { expect } from 'chai';
import { testLogger } from '@ricochet/testing';
import {
  openArchiveStore,
  type ArchiveInput,
  type ArchiveStore,
  type ArchiveStoreOptions,
} from '@ricochet/archive';
import { startTime } from './record-input.js';

export { day, hour, makeInput, startTime } from './record-input.js';

/** Where a suite's stores live: each fresh URL is an archive no other test touches. */
export interface StoreTarget {
  /** A new, empty archive location (a new SQLite file, a new PostgreSQL schema). */
  freshUrl(): string;
  /** Removes everything freshUrl handed out. */
  dispose(): Promise<void>;
}

/** Pins archivedAt: tests move it to place records in time. */
export class TestClock {
  time = startTime;
  readonly now = (): number => this.time;
}

/** Opens stores on one archive location and closes every one of them afterwards. */
export class StoreFixture {
  readonly clock = new TestClock();
  readonly #opened: ArchiveStore[] = [];

  constructor(readonly url: string) {}

  async open(
    url: string = this.url,
    options: Pick<ArchiveStoreOptions, 'timeoutMs' | 'statementTimeoutMs' | 'access'> = {},
  ): Promise<ArchiveStore> {
    const store = await openArchiveStore(url, {
      logger: testLogger('archive'),
      now: this.clock.now,
      ...options,
    });
    this.#opened.push(store);
    return store;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#opened.map((store) => store.close()));
  }
}

/** The fields of an input as a stored record must echo them. */
export function expectStoredAs(actual: unknown, input: ArchiveInput): void {
  expect(actual).to.include.keys(Object.keys(input));
  const stored = actual as Record<string, unknown>;
  for (const [field, value] of Object.entries(input)) {
    expect(stored[field], field).to.deep.equal(value);
  }
}

/** The rejection of a promise, which must be an instance of `type`. */
export async function rejectionOf<T extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => T,
): Promise<T> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    return error as T;
  }
  expect.fail(`expected a ${type.name}`);
}

export async function listIds(
  store: ArchiveStore,
  filter: Parameters<ArchiveStore['list']>[0],
): Promise<number[]> {
  const ids: number[] = [];
  for await (const record of store.iterate(filter, 7)) {
    ids.push(record.id);
  }
  return ids;
}
