/**
 * @ricochet/console: the dead-letter console. Server-rendered pages (Records, Record, Overview,
 * Jobs, Audit) and a JSON API under /api/v1, served by one fastify process over an ArchiveStore.
 * Binds 127.0.0.1 by default; any other address needs credentials from the environment
 * (RICOCHET_CONSOLE_OPERATOR_TOKEN, RICOCHET_CONSOLE_VIEWER_TOKEN, RICOCHET_CONSOLE_USERS), with
 * two roles, viewer and operator. Actions are POSTs with a CSRF token and an Origin check.
 *
 * @example
 * ```ts
 * import { credentialsFromEnvironment, startConsole } from '@ricochet/console';
 * import { openReplayPublisher } from '@ricochet/replay';
 *
 * const running = await startConsole({
 *   store, describer, logger, host: '127.0.0.1', port: 8080, localActor: 'alice',
 *   credentials: credentialsFromEnvironment(process.env),
 *   // Replays publish through this, opened at the first one; without it the console cannot replay.
 *   openPublisher: () => openReplayPublisher({ brokers, clientId: 'ricochet-console-replay', logger }),
 * });
 * console.log(running.url);
 * await running.close();
 * ```
 */
export {
  checkBind,
  ConsoleEnvironment,
  credentialsFromEnvironment,
  type Credentials,
  type Principal,
  type Role,
} from './auth.js';
export type { ConsoleOptions } from './context.js';
export { defaultConsoleHost, defaultConsolePort } from './defaults.js';
export { buildConsole, startConsole, type RunningConsole } from './server.js';
