/** Checks of the attacker-controlled text that blocked-keys and waiting records carry. */
import { escapeTerminalText, truncateText } from './text.js';

export const maxPartition = 2 ** 31 - 1;
const maxOffset = 2n ** 63n - 1n;
/** The largest time a JavaScript Date can hold. */
export const maxEpochMilliseconds = 8_640_000_000_000_000;
export const offsetPattern = /^(0|[1-9][0-9]{0,18})$/;
const partitionPattern = /^(0|[1-9][0-9]{0,9})$/;

export function isOffset(value: unknown): value is string {
  return typeof value === 'string' && offsetPattern.test(value) && BigInt(value) <= maxOffset;
}

export function isPartitionText(text: string): boolean {
  return partitionPattern.test(text) && Number(text) <= maxPartition;
}

/** Attacker-controlled text, cut short and made safe to log or show. */
export function quote(text: string): string {
  return `"${escapeTerminalText(truncateText(text, 120))}"`;
}
