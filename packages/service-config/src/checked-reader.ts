import { ConfigError } from '@ricochet/core';
import type { ConfigInput } from './config-input.js';
import { checkFileKeys } from './file-keys.js';
import { SettingReader } from './precedence.js';

/**
 * A reader over `input` once the checks that hold whatever is read have passed: no unknown key in
 * the file, no password on the command line.
 */
export function checkedReader(input: ConfigInput): SettingReader {
  checkFileKeys(input.file);
  refuseSecretFlags(input.flags);
  return new SettingReader(input);
}

/** A password on the command line shows in `ps` and shell history: refuse it, saying where it goes. */
function refuseSecretFlags(flags: Readonly<Record<string, unknown>>): void {
  if (flags['sasl-password'] !== undefined) {
    throw new ConfigError(
      '--sasl-password',
      'passwords are not taken from the command line, where other users can see them; set RICOCHET_SASL_PASSWORD or sasl.password in the config file',
    );
  }
}
