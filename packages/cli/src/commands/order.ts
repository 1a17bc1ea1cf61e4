import { commandGroup, lazyCommand } from '../lazy-command.js';

export const orderCommand = commandGroup({
  command: 'order',
  describe: 'inspect and release the keys a --ordering key-strict group holds back',
  subcommands: [
    lazyCommand('status', async () => (await import('./order/status.js')).statusCommand),
    lazyCommand('release', async () => (await import('./order/release.js')).releaseCommand),
  ],
  whenNoneNamed: 'name an order command: status or release',
});
