import { commandGroup, lazyCommand } from '../lazy-command.js';

export const topologyCommand = commandGroup({
  command: 'topology',
  describe: 'create, describe, verify or delete the retry and dead-letter topics',
  subcommands: [
    lazyCommand('create', async () => (await import('./topology/create.js')).createCommand),
    lazyCommand('describe', async () => (await import('./topology/describe.js')).describeCommand),
    lazyCommand('verify', async () => (await import('./topology/verify.js')).verifyCommand),
    lazyCommand('delete', async () => (await import('./topology/delete.js')).deleteCommand),
  ],
  whenNoneNamed: 'name a topology command: create, describe, verify or delete',
});
