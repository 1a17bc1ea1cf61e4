import yargs, { type Argv } from 'yargs';
import {
  describeFailure,
  ExitCode,
  exitCodeFor,
  UsageError,
  type ExitCodeValue,
} from './exit-codes.js';
import type { CliIo } from './io.js';
import { writeLine } from './io.js';
import { topologyCommand } from './commands/topology.js';

/**
 * Runs the `ricochet` command line with `args` and resolves to the exit code. Nothing here calls
 * process.exit or reads process.argv: bin.ts does, so tests can run commands in-process.
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  let exitCode: ExitCodeValue = ExitCode.success;
  const parser: Argv = yargs()
    .scriptName('ricochet')
    .env(false)
    .strict()
    .recommendCommands()
    .demandCommand(1, 'name a command')
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .command(topologyCommand(io, (code) => (exitCode = code)))
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    });
  try {
    await parser.parseAsync([...args], {}, (error, _argv, output) => {
      if (output !== '' && error === null) {
        io.stdout.write(`${output}\n`);
      }
    });
  } catch (error) {
    const code = exitCodeFor(error);
    writeLine(io.stderr, describeFailure(error));
    if (code === ExitCode.usage && error instanceof UsageError) {
      writeLine(io.stderr, 'run with --help for usage');
    }
    return code;
  }
  return exitCode;
}
