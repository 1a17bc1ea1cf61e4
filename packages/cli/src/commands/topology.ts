import type { CommandModule } from 'yargs';
import type { ExitCodeValue } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export function topologyCommand(
  _io: CliIo,
  _setExitCode: (code: ExitCodeValue) => void,
): CommandModule {
  return {
    command: 'topology <action>',
    describe: 'create, describe, verify or delete the retry and dead-letter topics',
    builder: (yargs) => yargs,
    handler: () => {
      throw new Error('not yet built');
    },
  };
}
