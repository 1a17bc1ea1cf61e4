import { commandGroup, lazyCommand } from '../lazy-command.js';

export const configCommand = commandGroup({
  command: 'config',
  describe: 'check the settings of a service',
  subcommands: [
    lazyCommand('check', async () => (await import('./config/check.js')).configCheckCommand),
  ],
  whenNoneNamed: 'name a config command: check',
});
