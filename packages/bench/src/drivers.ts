import { defaultKafkaDriver, kafkaDrivers, type KafkaDriver } from '@ricochet/kafka';
import { adjacentUniqueDelays, comparedRow, type ResultRow } from './scenario.js';

/**
 * The Kafka drivers Ricochet's sides are measured on, each in the same run (the services'
 * connection option `driver`): every driver the services offer. The baselines (plain kafkajs,
 * kafkajs-async-retry) are kafkajs clients and run once.
 */
export const drivers: readonly KafkaDriver[] = kafkaDrivers;

/** A scenario's label for Ricochet on `driver`. */
export function ricochetOn(driver: KafkaDriver): string {
  return `Ricochet on ${driver}`;
}

/** A value for each driver, made by `make`. */
export function byDriver<T>(make: (driver: KafkaDriver) => T): Record<KafkaDriver, T> {
  return Object.fromEntries(drivers.map((driver) => [driver, make(driver)])) as Record<
    KafkaDriver,
    T
  >;
}

/**
 * Runs `measure` for each driver, one after another (at once, they would share the machine's
 * cores and the broker, and each would measure the other's load too), and returns each result
 * by its driver.
 */
export async function measureEachDriver<T>(
  measure: (driver: KafkaDriver) => Promise<T>,
): Promise<Record<KafkaDriver, T>> {
  const results = new Map<KafkaDriver, T>();
  for (const driver of drivers) {
    results.set(driver, await measure(driver));
  }
  return Object.fromEntries(results) as Record<KafkaDriver, T>;
}

/**
 * A tier delay of the run's own for each driver's side (tier topics are named by their delay),
 * a millisecond apart, so that the drivers' records wait as long.
 */
export function delaysByDriver(baseMilliseconds: number): Record<KafkaDriver, number> {
  const delays = adjacentUniqueDelays(baseMilliseconds, drivers.length);
  return byDriver((driver) => delays[drivers.indexOf(driver)] as number);
}

/**
 * A row for each driver but the default, comparing Ricochet's figure on it with Ricochet's on
 * the default driver (the ratio other / default), against the target in `options`.
 */
export function againstDefaultDriver(
  scenario: string,
  figures: Readonly<Record<KafkaDriver, number>>,
  options: Parameters<typeof comparedRow>[3] = {},
): ResultRow[] {
  return drivers
    .filter((driver) => driver !== defaultKafkaDriver)
    .map((driver) =>
      comparedRow(
        `${scenario}: ${ricochetOn(driver)} against ${ricochetOn(defaultKafkaDriver)}`,
        { name: ricochetOn(defaultKafkaDriver), value: figures[defaultKafkaDriver] },
        figures[driver],
        options,
      ),
    );
}
