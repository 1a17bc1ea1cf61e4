/** The shape of a setting's definition: one row of the table in docs/operations-contract.md. */
import type { ServiceRole } from './types.js';

/** How a setting looks on the command line. Secrets have no flag: argv shows in `ps`. */
export interface SettingFlag {
  /** Without the leading dashes: `http-port`. */
  readonly name: string;
  readonly type: 'string' | 'boolean';
  /** Given once per value (`--topic a --topic b`). */
  readonly repeatable?: boolean;
}

/** One row of the table in docs/operations-contract.md. */
export interface SettingDefinition {
  readonly flag: SettingFlag | undefined;
  readonly environment: string;
  readonly roles: readonly ServiceRole[];
  readonly description: string;
  /** The default as a person reads it, for --help; absent when there is none. */
  readonly defaultText?: string;
}

/** A flag that takes a text value. */
export const textFlag = (name: string): SettingFlag => ({ name, type: 'string' });
