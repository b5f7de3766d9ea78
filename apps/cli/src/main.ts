import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { prestartGuestThread, type GuestThread } from '@pywasi/host';
import { CliError } from './cli-error.ts';
import { registerBuild } from './commands/build.ts';
import { registerPip } from './commands/pip.ts';
import { registerPython, separatePythonArguments } from './commands/python.ts';
import { registerRun } from './commands/run.ts';
import { packageDir } from './workspace.ts';

const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };

/** `guestThread`: a worker started for the guest of `pywasi python` before the arguments are even
 * parsed (its start overlaps ours); the python command runs its guest there. */
export function buildProgram(options: { guestThread?: GuestThread } = {}): Command {
  const program = new Command('pywasi')
    .description('Run WebAssembly (WASI) modules and CPython 3.11 for wasm32-wasi on Node.js, with real sockets.')
    .version(version, '-V, --version', 'print the pywasi version')
    .helpOption('-h, --help', 'show help for pywasi or a command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`pywasi: ${text.replace(/^error: /, '')}`) });
  registerRun(program);
  registerPython(program, options.guestThread);
  registerPip(program);
  registerBuild(program);
  // Sub-commands inherit the behaviour above (exitOverride, error format).
  for (const command of program.commands) inherit(command, program);
  return program;
}

function inherit(command: Command, from: Command): void {
  command.exitOverride().configureOutput(from.configureOutput());
  for (const sub of command.commands) inherit(sub, from);
}

/** Runs the CLI; returns the process exit code (a guest's exit code for run/python). */
export async function main(argv: string[]): Promise<number> {
  const guestThread = argv[0] === 'python' ? prestartGuestThread() : undefined;
  const program = buildProgram(guestThread ? { guestThread } : {});
  try {
    // What follows `python`'s own options belongs to python, --help included.
    const python = program.commands.find((c) => c.name() === 'python')!;
    const args = argv[0] === 'python' ? ['python', ...separatePythonArguments(python, argv.slice(1))] : argv;
    await program.parseAsync(args, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were printed by commander.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      console.error(error.options.bare ? error.message : `pywasi: ${error.message}`);
      return error.exitCode;
    }
    throw error;
  } finally {
    guestThread?.close(); // when no run took it (--help, an error)
  }
}
