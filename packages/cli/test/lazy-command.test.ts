import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { CommandOutcome } from '../src/command-outcome.js';
import type { CliIo } from '../src/io.js';
import { commandsNamedBy, lazyCommand, type LazyCommand } from '../src/lazy-command.js';

const io: CliIo = {
  stdout: new PassThrough(),
  stderr: new PassThrough(),
  environment: {},
  stdin: new PassThrough(),
};

/** Commands that record which of them were loaded, and the arguments each was given. */
function recordingCommands(names: readonly string[]) {
  const loaded: { name: string; args: readonly string[] }[] = [];
  const commands: LazyCommand[] = names.map((name) =>
    lazyCommand(name, async () => (_io, _outcome, args) => {
      loaded.push({ name, args });
      return { command: name, describe: name, handler: () => {} };
    }),
  );
  return { commands, loaded };
}

async function loadFor(args: readonly string[]) {
  const { commands, loaded } = recordingCommands(['topology', 'run', 'dlq']);
  const registrations = await commandsNamedBy(commands, args, io, new CommandOutcome());
  return { registrations, loaded };
}

describe('commandsNamedBy', () => {
  it('loads only the command the arguments name, and hands it the arguments after its name', async () => {
    const { registrations, loaded } = await loadFor(['run', 'delay', '--tier', 'retry-5s']);
    expect(registrations).to.have.length(1);
    expect(loaded).to.deep.equal([{ name: 'run', args: ['delay', '--tier', 'retry-5s'] }]);
  });

  it('skips flags before the command name', async () => {
    const { loaded } = await loadFor(['--verbose', 'dlq', 'list']);
    expect(loaded).to.deep.equal([{ name: 'dlq', args: ['list'] }]);
  });

  it('loads every command when the arguments name none: help and suggestions list them all', async () => {
    for (const args of [[], ['--help'], ['--version'], ['rn', 'delay']]) {
      const { registrations, loaded } = await loadFor(args);
      expect(registrations, args.join(' ')).to.have.length(3);
      expect(loaded.map((command) => command.name)).to.deep.equal(['topology', 'run', 'dlq']);
      expect(loaded.every((command) => command.args.length === 0)).to.equal(true);
    }
  });
});
