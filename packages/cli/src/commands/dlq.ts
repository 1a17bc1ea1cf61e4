import { commandGroup, lazyCommand } from '../lazy-command.js';

export const dlqCommand = commandGroup({
  command: 'dlq',
  describe: 'inspect, export, replay and purge the dead-letter archive; replay jobs and the audit',
  subcommands: [
    lazyCommand('list', async () => (await import('./dlq/list.js')).listCommand),
    lazyCommand('show', async () => (await import('./dlq/show.js')).showCommand),
    lazyCommand('stats', async () => (await import('./dlq/stats.js')).statsCommand),
    lazyCommand('replay', async () => (await import('./dlq/replay.js')).replayCommand),
    lazyCommand('export', async () => (await import('./dlq/export.js')).exportCommand),
    lazyCommand('purge', async () => (await import('./dlq/purge.js')).purgeCommand),
    lazyCommand('jobs', async () => (await import('./dlq/jobs.js')).jobsCommand),
    lazyCommand('audit', async () => (await import('./dlq/audit.js')).auditCommand),
  ],
  whenNoneNamed: 'name a dlq command: list, show, stats, replay, export, purge, jobs or audit',
});
