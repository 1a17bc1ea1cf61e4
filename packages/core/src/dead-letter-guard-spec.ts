import { formatDuration, maxTimerMilliseconds, parseDuration } from './duration.js';
import { ConfigError } from './errors.js';

/**
 * What the main consumer's dead-letter guard counts as a flood: `dead-lettered`, records sent to
 * the dead-letter topic; `failed`, records sent to a retry tier or the dead-letter topic (a
 * handler failing retryably for every record fills the tiers long before it dead-letters
 * anything: with a three-tier ladder, one outcome in four is a dead letter, and only after the
 * ladder's whole delay).
 */
export const deadLetterGuardCountChoices = ['dead-lettered', 'failed'] as const;
export type DeadLetterGuardCount = (typeof deadLetterGuardCountChoices)[number];
export const defaultDeadLetterGuardCount: DeadLetterGuardCount = 'dead-lettered';

/** When the main consumer pauses because too many records are dead-lettered (or fail). */
export interface DeadLetterGuardSpec {
  /** Share of the records counted in the window, above 0 and at most 1, at which it trips. */
  readonly ratio: number;
  readonly windowMilliseconds: number;
  /** Records the window must hold before it may trip: a few failures of a quiet spell are no flood. */
  readonly minRecords: number;
  /** Resumes by itself this long after it tripped; undefined: only an operator resumes it. */
  readonly cooldownMilliseconds: number | undefined;
  readonly count: DeadLetterGuardCount;
}

/** How the setting is written, for help texts and messages. */
export const deadLetterGuardSyntax =
  'ratio,window,min-records[,cooldown=DURATION][,count=dead-lettered|failed]';

/**
 * Parses `0.5,1m,100`, optionally followed by `cooldown=10m` and `count=failed` (in any order).
 * `field` names the setting as the user wrote it; each message also names the part.
 */
export function parseDeadLetterGuard(text: string, field: string): DeadLetterGuardSpec {
  const parts = text.split(',').map((part) => part.trim());
  const [ratioText, windowText, minRecordsText, ...named] = parts;
  if (ratioText === undefined || windowText === undefined || minRecordsText === undefined) {
    throw new ConfigError(field, `"${text}" must be ${deadLetterGuardSyntax}, e.g. 0.5,1m,100`);
  }
  let cooldownMilliseconds: number | undefined;
  let count: DeadLetterGuardCount = defaultDeadLetterGuardCount;
  const seen = new Set<string>();
  for (const part of named) {
    const [name, value, ...rest] = part.split('=').map((piece) => piece.trim());
    if (value === undefined || rest.length > 0 || (name !== 'cooldown' && name !== 'count')) {
      throw new ConfigError(
        field,
        `"${part}" is not cooldown=DURATION or count=dead-lettered|failed (the setting is ${deadLetterGuardSyntax})`,
      );
    }
    if (seen.has(name)) {
      throw new ConfigError(field, `${name} is given twice`);
    }
    seen.add(name);
    if (name === 'cooldown') {
      cooldownMilliseconds = durationPart(value, 'cooldown', field);
    } else {
      const choice = deadLetterGuardCountChoices.find((candidate) => candidate === value);
      if (choice === undefined) {
        throw new ConfigError(
          field,
          `count must be one of ${deadLetterGuardCountChoices.join(', ')}, got "${value}"`,
        );
      }
      count = choice;
    }
  }
  const ratio = /^\d*\.?\d+$/.test(ratioText) ? Number(ratioText) : Number.NaN;
  const minRecords = /^\d+$/.test(minRecordsText) ? Number(minRecordsText) : Number.NaN;
  return checkDeadLetterGuard(
    {
      ratio,
      windowMilliseconds: durationPart(windowText, 'window', field),
      minRecords,
      cooldownMilliseconds,
      count,
    },
    field,
  );
}

/** A duration part of the setting; its error names the setting, then the part. */
function durationPart(text: string, part: string, field: string): number {
  try {
    return parseDuration(text, part);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ConfigError(field, error.message, { cause: error });
    }
    throw error;
  }
}

/** Checks a guard given as an object (a library caller's), naming `field` and the part. */
export function checkDeadLetterGuard(
  spec: DeadLetterGuardSpec,
  field: string,
): DeadLetterGuardSpec {
  if (!Number.isFinite(spec.ratio) || spec.ratio <= 0 || spec.ratio > 1) {
    throw new ConfigError(field, `ratio must be a number above 0 and at most 1, got ${spec.ratio}`);
  }
  for (const [part, milliseconds] of [
    ['window', spec.windowMilliseconds],
    ['cooldown', spec.cooldownMilliseconds],
  ] as const) {
    if (
      milliseconds !== undefined &&
      (!Number.isSafeInteger(milliseconds) ||
        milliseconds <= 0 ||
        milliseconds > maxTimerMilliseconds)
    ) {
      throw new ConfigError(
        field,
        `${part} must be a positive duration up to ${formatDuration(maxTimerMilliseconds)}, got ${String(milliseconds)} ms`,
      );
    }
  }
  if (!Number.isSafeInteger(spec.minRecords) || spec.minRecords < 1) {
    throw new ConfigError(
      field,
      `min-records must be a positive whole number, got ${String(spec.minRecords)}`,
    );
  }
  if (!deadLetterGuardCountChoices.includes(spec.count)) {
    throw new ConfigError(
      field,
      `count must be one of ${deadLetterGuardCountChoices.join(', ')}, got ${String(spec.count)}`,
    );
  }
  return spec;
}

/** The spec written back as the setting's text: `0.5,1m,100,count=failed`. */
export function formatDeadLetterGuard(spec: DeadLetterGuardSpec): string {
  return [
    String(spec.ratio),
    formatDuration(spec.windowMilliseconds),
    String(spec.minRecords),
    ...(spec.cooldownMilliseconds === undefined
      ? []
      : [`cooldown=${formatDuration(spec.cooldownMilliseconds)}`]),
    ...(spec.count === defaultDeadLetterGuardCount ? [] : [`count=${spec.count}`]),
  ].join(',');
}
