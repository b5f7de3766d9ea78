// `pywasi python`: the built python.wasm with its standard library, the host's current directory
// and ./deps visible, so scripts behave as they do with a native python (@pywasi/python decides
// the guest's view; this file adds the command line and the terminal).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { isatty } from 'node:tty';
import { setFlagsFromString } from 'node:v8';
import { Command } from 'commander';
import type { ReadlineOptions } from '@pywasi/host';
import { asksForRepl, ensureSnapshot, GUEST_PREFIX, pythonInvocation, pythonLayout } from '@pywasi/python';
import { CliError } from '../cli-error.ts';
import { addGuestOptions, applyCompileMode, guestEnv, runLimits, type GuestFlags } from '../guest-options.ts';
import { runCommand, type RunOptions } from './run.ts';

/** Line editing, history and Tab completion when stdin and stdout are terminals (wasi-host's
 * tty/). PYWASI_PYTHON_HISTORY names the history file; empty keeps none. */
export function pythonReadline(env: NodeJS.ProcessEnv, terminals: boolean, cwd: string): ReadlineOptions | undefined {
  if (!terminals) return undefined;
  const file = env['PYWASI_PYTHON_HISTORY'];
  if (file === undefined) return {};
  return { historyFile: file === '' ? null : path.resolve(cwd, file) };
}

export function registerPython(program: Command): void {
  const python = program
    .command('python')
    .description('run python.wasm (CPython 3.11): a REPL, -c, -m or a script, with the current directory and ./deps visible')
    .usage('[pywasi options] [python options and arguments]')
    .argument('[args...]', "python's own arguments, as for a native python3")
    .allowUnknownOption()
    .passThroughOptions();
  addGuestOptions(python, { dirs: 'the current directory (at its own path), the script\'s directory and the standard library' })
    .option('--no-preinit', 'start python.wasm afresh instead of from the snapshot (slower start, a hash seed of its own)')
    .addHelpText(
      'after',
      `
python.wasm is the one @pywasi/python ships (in a clone of the repository: dist/python/, made by
\`npx pywasi build\`), or $PYWASI_PYTHON_DIR's. PYTHONHOME is
${GUEST_PREFIX}; ./deps (see \`pywasi pip install\`) is on PYTHONPATH when it exists. The guest's exit
code is pywasi's. Options for python that pywasi also knows (-h) go after --.

Runs start from a snapshot of an initialised CPython, made once per installation at first use
(in ${'$'}PYWASI_CACHE_DIR or ~/.cache/pywasi/snapshots). It applies the run's arguments, -u/-i/-q/-B,
environment, sys.path and cwd. What is shared: all runs of one installation share the hash seed
drawn when its snapshot was made (installations never share one); use --no-preinit (or
PYTHONHASHSEED) for a seed per run. Other python options, and PYTHON* variables besides
PYTHONPATH, start python.wasm afresh by themselves.

V8 compiles python.wasm with its baseline compiler first and optimises what runs often; each
Python call enters the interpreter loop afresh, so it runs optimised once V8 has optimised it.
--optimize compiles everything optimised at first use instead: about 1 s more start-up, and the
pure-Python suite in bench/ no faster for it (2.15x native against 2.09x by default).

On a terminal the REPL and input() edit lines as with GNU readline: history on Up/Down (kept in
${'$'}PYWASI_PYTHON_HISTORY, default ${'$'}XDG_STATE_HOME/pywasi/python_history or
~/.local/state/pywasi/python_history; an empty value keeps none) and Tab completion.

A script, -c or -m runs on pywasi's own thread (the fastest start); the REPL on a terminal runs in
a worker thread. Ctrl-C at a prompt raises KeyboardInterrupt in Python; elsewhere it ends the run
at once, and pywasi dies of SIGINT (no Python traceback, no finally blocks).

Examples:
  $ pywasi python
  $ pywasi python -c 'import sys; print(sys.version)'
  $ pywasi python script.py arg1 arg2
  $ pywasi python -e PYTHONTRACEMALLOC=1 --net all -m http.server 8000
  $ pywasi python --dir ./data:/data -- -h`,
    )
    .action(async (args: string[], flags: GuestFlags & { preinit: boolean }) => {
      applyCompileMode(flags);
      const layout = pythonLayout();
      if (!existsSync(layout.wasm)) {
        throw new CliError(`python.wasm not found at ${layout.wasm}: build it with \`npx pywasi build\` (or set PYWASI_PYTHON_DIR)`, 1);
      }
      const invocation = pythonInvocation(
        // The start-up snapshot belongs to python.wasm without a memory limit: --max-memory starts afresh.
        { pythonArgs: args, cwd: process.cwd(), dirs: flags.dir, env: guestEnv(flags), net: flags.net, preinit: flags.preinit && flags.maxMemory === undefined, ...(flags.caFile !== undefined ? { caFile: flags.caFile } : {}) },
        layout,
      );
      const warn = (line: string) => process.stderr.write(`${line}\n`);
      let wasm = invocation.wasm;
      let options: RunOptions = { env: invocation.env, envInherit: false, dirs: invocation.dirs, net: invocation.net, ...(invocation.caFile !== undefined ? { caFile: invocation.caFile } : {}), ...runLimits(flags) };
      if (invocation.snapshot && (await ensureSnapshot(invocation.snapshot, (line) => warn(`pywasi python: ${line}`)))) {
        wasm = invocation.snapshot.module;
        // Named as python.wasm, not as the module in the cache (sys.orig_argv[0]).
        options = { ...options, snapshot: { restore: invocation.snapshot.image }, argv0: path.basename(invocation.wasm) };
      }
      const readline = pythonReadline(process.env, isatty(0) && isatty(1), process.cwd());
      if (readline) options = { ...options, readline };
      // Python runs in a worker, so this thread is free to hear SIGINT and turn it into a
      // KeyboardInterrupt in the guest (the guest on this thread would block it).
      options = { ...options, interruptible: true };
      // V8 validates each function of our python.wasm when it first compiles it, not all ~9000
      // before the start: a third of compile time at start-up. An invalid one (the build validates
      // python.wasm) would fail where it is first called, as a trap.
      setFlagsFromString('--wasm-lazy-validation');
      process.exitCode = await runCommand(wasm, invocation.args, options, {
        label: 'pywasi python',
        error: (line) => process.stderr.write(`${line}\n`),
      });
    });
}
