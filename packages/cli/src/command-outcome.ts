import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/** A command as Ricochet writes it: its flags, and a run that resolves to an exit code. */
export interface CommandSpec<Arguments> {
  readonly command: string;
  readonly describe: string;
  readonly builder: (yargs: Argv<object>) => Argv<Arguments>;
  readonly run: (argv: ArgumentsCamelCase<Arguments>) => Promise<ExitCodeValue>;
}

/**
 * yargs ignores what command handlers return, so one run of the program keeps here the exit code
 * its command resolved to. Commands stay plain functions from arguments to an exit code.
 */
export class CommandOutcome {
  exitCode: ExitCodeValue = ExitCode.success;

  /** The yargs command for `spec`, recording the exit code its run resolves to. */
  command<Arguments>(spec: CommandSpec<Arguments>): CommandModule<object, Arguments> {
    return {
      command: spec.command,
      describe: spec.describe,
      builder: spec.builder,
      handler: async (argv) => {
        this.exitCode = await spec.run(argv);
      },
    };
  }
}
