/**
 * @ricochet/cli: the `ricochet` command. The only package that reads argv and the environment
 * and turns errors into exit codes.
 *
 * @example
 * ```sh
 * ricochet topology create --brokers 127.0.0.1:29092 --tiers 5s,1m,10m --topic orders
 * ricochet topology verify --brokers 127.0.0.1:29092
 * ```
 */
export { runCli } from './program.js';
export { describeFailure, ExitCode, UsageError } from './exit-codes.js';
export type { CliIo } from './io.js';
export { formatTable } from './table.js';
