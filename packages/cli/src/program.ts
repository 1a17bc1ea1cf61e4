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
import { commandsNamedBy, lazyCommand, withCommands, type LazyCommand } from './lazy-command.js';

/** The installed package's own version: from src/ and from dist/ alike, it is one folder up. */
const cliVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** Loaded on demand: `ricochet run delay` does not load the archive, the demo or the decoder. */
const commands: readonly LazyCommand[] = [
  lazyCommand('topology', async () => (await import('./commands/topology.js')).topologyCommand),
  lazyCommand('run', async () => (await import('./commands/run.js')).runCommand),
  lazyCommand('config', async () => (await import('./commands/config.js')).configCommand),
  lazyCommand('dlq', async () => (await import('./commands/dlq.js')).dlqCommand),
  lazyCommand('console', async () => (await import('./commands/console.js')).consoleCommand),
  lazyCommand('order', async () => (await import('./commands/order.js')).orderCommand),
  lazyCommand('demo', async () => (await import('./commands/demo.js')).demoCommand),
];

const defaultWidth = 100;
const maxWidth = 110;

/**
 * Runs the `ricochet` command line with `args` and resolves to the exit code. Nothing here calls
 * process.exit or reads process.argv: bin.ts does, so tests can run commands in-process.
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const outcome = new CommandOutcome();
  const parser = withCommands(
    yargs()
      .scriptName('ricochet')
      .env(false)
      .strict()
      .recommendCommands()
      .demandCommand(1, 'name a command')
      .help()
      .version(cliVersion)
      .wrap(Math.min(maxWidth, columnsOf(io.stdout) ?? defaultWidth))
      .exitProcess(false)
      .fail((message, error) => {
        // yargs's own parse errors (a flag without its value) are usage errors too.
        if (error === undefined || error === null || error.name === 'YError') {
          throw new UsageError(message ?? error?.message, { cause: error ?? undefined });
        }
        throw error;
      }),
    await commandsNamedBy(commands, args, io, outcome),
  );
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
