import type { Argv, CommandModule } from 'yargs';
import type { CommandOutcome } from './command-outcome.js';
import type { CliIo } from './io.js';

/**
 * Builds one yargs command. A group of commands gets the arguments after its own name, to load
 * only the subcommand they name.
 */
export type CommandFactory<Arguments> = (
  io: CliIo,
  outcome: CommandOutcome,
  args: readonly string[],
) => CommandModule<object, Arguments> | Promise<CommandModule<object, Arguments>>;

/** Adds a loaded command to a parser; a closure, so that commands with different flags mix. */
export type CommandRegistration = (parser: Argv<object>) => Argv<object>;

/** A command known by name before its module is loaded. */
export interface LazyCommand {
  readonly name: string;
  readonly load: (
    io: CliIo,
    outcome: CommandOutcome,
    args: readonly string[],
  ) => Promise<CommandRegistration>;
}

export function lazyCommand<Arguments>(
  name: string,
  loadFactory: () => Promise<CommandFactory<Arguments>>,
): LazyCommand {
  return {
    name,
    load: async (io, outcome, args) => {
      const command = await (await loadFactory())(io, outcome, args);
      return (parser) => parser.command(command);
    },
  };
}

/**
 * The commands yargs needs for `args`: only the one they name, so that a service process does not
 * load the modules (and their dependencies) of every other command; all of them when they name
 * none, so that help and "did you mean" still see every command. A flag's value before the
 * command name only costs the laziness: it names no command, so all are loaded.
 */
export async function commandsNamedBy(
  commands: readonly LazyCommand[],
  args: readonly string[],
  io: CliIo,
  outcome: CommandOutcome,
): Promise<CommandRegistration[]> {
  const position = args.findIndex((argument) => !argument.startsWith('-'));
  const named = commands.find((command) => command.name === args[position]);
  const chosen = named === undefined ? commands : [named];
  const rest = named === undefined ? [] : args.slice(position + 1);
  return Promise.all(chosen.map((command) => command.load(io, outcome, rest)));
}

/** `parser` with every command in `registrations` added. */
export function withCommands(
  parser: Argv<object>,
  registrations: readonly CommandRegistration[],
): Argv<object> {
  return registrations.reduce((withSome, register) => register(withSome), parser);
}

/** A command that only names subcommands: `ricochet run`, `ricochet dlq`. */
export interface CommandGroupSpec {
  readonly command: string;
  readonly describe: string;
  readonly subcommands: readonly LazyCommand[];
  /** The usage error when no subcommand is named. */
  readonly whenNoneNamed: string;
}

export function commandGroup(spec: CommandGroupSpec): CommandFactory<object> {
  return async (io, outcome, args) => {
    const subcommands = await commandsNamedBy(spec.subcommands, args, io, outcome);
    return {
      command: spec.command,
      describe: spec.describe,
      builder: (yargs) => withCommands(yargs, subcommands).demandCommand(1, spec.whenNoneNamed),
      // Never reached: yargs runs the subcommand's handler, or fails when none is named.
      handler: () => {},
    };
  };
}
