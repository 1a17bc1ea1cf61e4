import type { Random } from './random.js';
import type { Role } from './supervisor.js';

/** One act of chaos, `at` milliseconds after the traffic starts. */
export type ChaosEvent =
  | {
      readonly at: number;
      readonly kind: 'kill';
      readonly role: Role;
      /** Which live instance of the role, as a fraction of their number: [0, 1). */
      readonly victim: number;
      /** How long the killed instance stays down before it is started again. */
      readonly downForMilliseconds: number;
    }
  | { readonly at: number; readonly kind: 'broker-restart' }
  /** A produce acknowledgement lost, then the broker off the fleet's network for a while. */
  | { readonly at: number; readonly kind: 'lost-ack' }
  | { readonly at: number; readonly kind: 'scale-up' }
  | { readonly at: number; readonly kind: 'scale-down' };

/** The first and last moment chaos may strike, ms after the traffic starts. */
export interface ChaosWindow {
  readonly windowStart: number;
  readonly windowEnd: number;
}

export interface ScheduleInput extends ChaosWindow {
  readonly killsPerRole: number;
  readonly roles: readonly Role[];
  readonly brokerRestarts: number;
  readonly lostAcks: number;
  readonly random: Random;
}

const minDownMilliseconds = 500;
const maxDownMilliseconds = 3_000;

/**
 * When and what: kills spread at random over the whole window; broker restarts and lost
 * acknowledgements (outages both) spaced over its middle, each in its own slice so that two never
 * overlap; the scale-up early enough that the tier holds records, and the scale-down in the
 * second half, while it still does.
 */
export function scheduleChaos(input: ScheduleInput): ChaosEvent[] {
  const { windowStart, windowEnd, random } = input;
  const span = windowEnd - windowStart;
  const at = (fromFraction: number, toFraction: number): number =>
    Math.round(windowStart + span * random.between(fromFraction, toFraction));
  const events: ChaosEvent[] = [];
  for (const role of input.roles) {
    for (let kill = 0; kill < input.killsPerRole; kill += 1) {
      events.push({
        at: at(0, 1),
        kind: 'kill',
        role,
        victim: random.next(),
        downForMilliseconds: Math.round(random.between(minDownMilliseconds, maxDownMilliseconds)),
      });
    }
  }
  const outages: Array<'broker-restart' | 'lost-ack'> = [
    ...Array.from({ length: input.brokerRestarts }, () => 'broker-restart' as const),
    ...Array.from({ length: input.lostAcks }, () => 'lost-ack' as const),
  ];
  const slice = 0.6 / Math.max(1, outages.length);
  outages.forEach((kind, index) => {
    const from = 0.2 + index * slice;
    events.push({ at: at(from + slice * 0.25, from + slice * 0.75), kind });
  });
  events.push({ at: at(0.1, 0.3), kind: 'scale-up' });
  events.push({ at: at(0.55, 0.8), kind: 'scale-down' });
  return events.sort((a, b) => a.at - b.at);
}
