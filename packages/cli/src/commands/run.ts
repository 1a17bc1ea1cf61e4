import { commandGroup, lazyCommand } from '../lazy-command.js';

export const runCommand = commandGroup({
  command: 'run',
  describe: 'run one Ricochet service (main consumer, delay tiers, the archiver) until SIGTERM',
  subcommands: [
    lazyCommand('main', async () => (await import('./run/main.js')).runMainCommand),
    lazyCommand('delay', async () => (await import('./run/delay.js')).runDelayCommand),
    lazyCommand('dlq', async () => (await import('./run/dlq.js')).runDlqCommand),
  ],
  whenNoneNamed: 'name a role: main, delay or dlq',
});
