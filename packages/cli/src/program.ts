import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { CommandOutcome } from './command-outcome.js';
import {
  describeFailure,
  ExitCode,
  exitCodeFor,
  UsageError,
  type ExitCodeValue,
} from './exit-codes.js';
import type { CliIo } from './io.js';
import { writeLine } from './io.js';
import { demoCommand } from './commands/demo.js';
import { configCommand } from './commands/config.js';
import { dlqCommand } from './commands/dlq.js';
import { runCommand } from './commands/run.js';
import { topologyCommand } from './commands/topology.js';

/** The installed package's own version: from src/ and from dist/ alike, it is one folder up. */
const cliVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const defaultWidth = 100;
const maxWidth = 110;

/**
 * Runs the `ricochet` command line with `args` and resolves to the exit code. Nothing here calls
 * process.exit or reads process.argv: bin.ts does, so tests can run commands in-process.
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const outcome = new CommandOutcome();
  const parser = yargs()
    .scriptName('ricochet')
    .env(false)
    .strict()
    .recommendCommands()
    .demandCommand(1, 'name a command')
    .help()
    .version(cliVersion)
    .wrap(Math.min(maxWidth, columnsOf(io.stdout) ?? defaultWidth))
    .command(topologyCommand(io, outcome))
    .command(runCommand(io, outcome))
    .command(configCommand(io, outcome))
    .command(dlqCommand(io, outcome))
    .command(demoCommand(io, outcome))
    .exitProcess(false)
    .fail((message, error) => {
      // yargs's own parse errors (a flag without its value) are usage errors too.
      if (error === undefined || error === null || error.name === 'YError') {
        throw new UsageError(message ?? error?.message, { cause: error ?? undefined });
      }
      throw error;
    });
  try {
    await parser.parseAsync([...args], {}, (error, _argv, output) => {
      // yargs 18 passes `undefined`, not `null`, when there is no error.
      if (output !== '' && (error === null || error === undefined)) {
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
  return outcome.exitCode;
}

function columnsOf(stream: NodeJS.WritableStream): number | undefined {
  const columns = (stream as { columns?: unknown }).columns;
  return typeof columns === 'number' ? columns : undefined;
}
