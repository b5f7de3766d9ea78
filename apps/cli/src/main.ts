import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { prestartGuestThread } from '@pywasi/host';
import { CliError } from './cli-error.ts';
import { registerBuild } from './commands/build.ts';
import { registerPip } from './commands/pip.ts';
import { registerPython, separatePythonArguments, type PythonContext } from './commands/python.ts';
import { registerRun } from './commands/run.ts';
import { registerReplay } from './commands/replay.ts';
import { registerRuns } from './commands/runs.ts';
import { registerTrace } from './commands/trace.ts';
import { packageDir } from './workspace.ts';

const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };

/** `context.guestThread`: a worker started for the guest of `pywasi python` before its arguments
 * are parsed (its start overlaps ours); the python command runs its guest there. */
export function buildProgram(context: PythonContext = {}): Command {
  const program = new Command('pywasi')
    .description('Run WebAssembly (WASI) modules and CPython 3.11 for wasm32-wasi on Node.js, with real sockets.')
    .version(version, '-V, --version', 'print the pywasi version')
    .helpOption('-h, --help', 'show help for pywasi or a command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`pywasi: ${text.replace(/^error: /, '')}`) });
  registerRun(program);
  registerPython(program, context);
  registerPip(program);
  registerBuild(program);
  registerReplay(program);
  registerTrace(program);
  registerRuns(program);
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
  // `pywasi --help | head`: the reader went away; stop quietly, as a program killed by SIGPIPE.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  const context: PythonContext = {};
  const program = buildProgram(context);
  // What follows `python`'s own options belongs to python, --help included.
  const python = program.commands.find((c) => c.name() === 'python')!;
  const pythonArgs = argv[0] === 'python' ? separatePythonArguments(python, argv.slice(1)) : null;
  const end = pythonArgs?.indexOf('--') ?? -1;
  const ours = pythonArgs ? (end < 0 ? pythonArgs : pythonArgs.slice(0, end)) : [];
  if (pythonArgs && !ours.some((a) => a === '-h' || a === '--help' || a === '--no-keyboard-interrupt')) context.guestThread = prestartGuestThread();
  try {
    await program.parseAsync(pythonArgs ? ['python', ...pythonArgs] : argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were printed by commander.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      console.error(`pywasi: ${error.message}`);
      return error.exitCode;
    }
    throw error;
  } finally {
    context.guestThread?.close(); // when no run took it (an error before the run)
  }
}
