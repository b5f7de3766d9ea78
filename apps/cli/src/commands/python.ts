// `pywasi python`: the built python.wasm with its standard library, the host's current directory
// and ./deps visible, so scripts behave as they do with a native python (@pywasi/python decides
// the guest's view; this file adds the command line and the terminal).
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { isatty } from 'node:tty';
import { setFlagsFromString } from 'node:v8';
import { Command, InvalidArgumentError } from 'commander';
import { describeNetPolicy, type GuestThread, type NetPolicy, type ReadlineOptions } from '@pywasi/host';
import { buildHint, ensureSnapshot, GUEST_PREFIX, NO_THREADS_BUILD, OLD_NO_THREADS_NAME, PYTHON_PROGRAM, PythonRequestError, pythonBuildDir, pythonInvocation, pythonLayout, spawnsThreads, THREADS_BUILD } from '@pywasi/python';
import { CliError } from '../cli-error.ts';
import { addGuestOptions, applyCompileMode, guestEnv, runLimits, type GuestFlags } from '../guest-options.ts';
import { runCommand, type RunOptions } from './run.ts';
import { recordingFor } from '../record-flag.ts';

/** Line editing, history and Tab completion when stdin and stdout are terminals (wasi-host's
 * tty/). PYWASI_PYTHON_HISTORY names the history file; empty keeps none. */
export function pythonReadline(env: NodeJS.ProcessEnv, terminals: boolean, cwd: string): ReadlineOptions | undefined {
  if (!terminals) return undefined;
  const file = env['PYWASI_PYTHON_HISTORY'];
  if (file === undefined) return {};
  return { historyFile: file === '' ? null : path.resolve(cwd, file) };
}

/** What main() prepares for the python command before parsing. */
export interface PythonContext {
  /** A worker already starting for the guest (runWasi's guestThread). */
  guestThread?: GuestThread;
}

export function registerPython(program: Command, context: PythonContext = {}): void {
  const python = program
    .command('python')
    .description('run python.wasm (CPython 3.11) as python3: a REPL, -c, -m or a script, with the current directory and ./deps visible')
    .usage('[pywasi options] [python options] [-c CODE | -m MODULE | SCRIPT | -] [args...]')
    .argument('[args...]', "python's own options and arguments, as for a native python3")
    .allowUnknownOption()
    .passThroughOptions();
  addGuestOptions(python, { dirs: 'the current directory (at its own path), the script\'s directory and the standard library' })
    .option('--build <name>', 'the python build to run: threads (the default), no-threads, full (numpy, lxml, PyYAML... built in, without threads: @pywasi/python-full installed, or built in a clone), or one made by `pywasi build --with` (<name>-threads: made with --threads, it has threads)')
    .option('--threads', 'run the threads build (the default on Node 22 and newer: CPython with pthreads, each thread a worker): --build threads')
    .option('--no-threads', 'run the build without threads (the one WasmEdge runs; 6 MiB less peak memory at start-up): --build no-threads')
    .option('--home <dir>', 'a host directory to be the guest\'s HOME (/home/user), kept across runs (default: a fresh one per run)', parseHome)
    .option('--no-keyboard-interrupt', "run python on pywasi's own thread: a faster start and less memory, but Ctrl-C then ends the run at once (no KeyboardInterrupt, no finally blocks)")
    .option('--no-preinit', 'start python.wasm afresh instead of from the snapshot (slower start, a hash seed of its own)')
    .option('--stdlib-zip', 'see the standard library as the build\'s python311.zip, as WasmEdge runs do, instead of as files (unpacked once into pywasi\'s cache)', false)
    .addHelpText(
      'after',
      `
pywasi's options come first; from the first argument it does not know (python's -c, -m, -u, a
script...) everything is python's, as with python3: \`pywasi python -m json.tool --help\` shows
json.tool's help. python's own -h and --version: \`pywasi python -- -h\`.

The guest sees the current directory at its own path and starts in it, the script's directory,
./deps beside the script and in the current directory (filled by \`pywasi pip install\`) on
PYTHONPATH, the standard library at ${GUEST_PREFIX}/lib/python3.11 (as files: its sources too,
when the build ships them), a fresh /tmp and HOME (/home/user), an
/etc/passwd naming that user, the host's time zones (-e TZ=Europe/Paris), and python.wasm itself,
read-only, at ${PYTHON_PROGRAM}: sys.executable (a file to read; no process starts). Nothing else.
The guest's exit code is pywasi's.

Ctrl-C raises KeyboardInterrupt in Python wherever it runs (a loop, time.sleep, a blocking socket
call, the REPL), so finally blocks and atexit run; an unhandled one ends pywasi by SIGINT, as
python3. A second Ctrl-C before Python has raised the first ends the run at once. A read of
stdin from a socket cannot be interrupted (the host's read cannot be woken). For this, python
runs in a worker thread; --no-keyboard-interrupt runs it on pywasi's own thread instead.

Without a build named, python runs with threads (threading, ThreadPoolExecutor, asyncio.to_thread),
each thread in a worker of its own. --record, --trace and --no-keyboard-interrupt run the build
without threads (a run log holds one thread's calls; threads need python in a worker), as does
Node 20 (its V8 mishandles a timed atomic wait), and so does --no-threads. A build named runs with
threads when its python.wasm has them (\`pywasi build --with markupsafe,pyyaml --threads\` makes
with-markupsafe-pyyaml-threads: the packages' C extensions in every thread); those options
refuse it.

Runs start from a snapshot of an initialised CPython, made once per installation at first use
(in $PYWASI_CACHE_DIR or ~/.cache/pywasi/snapshots). All runs of one installation share the hash
seed drawn then; --no-preinit or PYTHONHASHSEED gives a run a seed of its own. Options the
snapshot cannot apply (-I, -X, PYTHON* variables besides PYTHONPATH...) start afresh by themselves.

On a terminal the REPL and input() edit lines as with GNU readline: history on Up/Down (kept in
$PYWASI_PYTHON_HISTORY, default $XDG_STATE_HOME/pywasi/python_history or
~/.local/state/pywasi/python_history; an empty value keeps none) and Tab completion.

Examples:
  $ pywasi python
  $ pywasi python -c 'import sys; print(sys.version)'
  $ pywasi python script.py arg1 arg2
  $ pywasi python -m json.tool --help
  $ pywasi python -c 'from concurrent.futures import ThreadPoolExecutor as Pool; print(list(Pool(4).map(abs, [-1, -2, -3])))'
  $ pywasi python --no-threads script.py
  $ pywasi python --net all -m http.server 8000
  $ pywasi python --dir ./data -c 'import os; print(os.listdir("data"))'
  $ pywasi python -e TZ=Europe/Paris -c 'import time; print(time.strftime("%H:%M %Z"))'
  $ pywasi python --record=run.log script.py && pywasi replay run.log && pywasi trace run.log
  $ pywasi python --build full -c 'import numpy; print(numpy.arange(6).reshape(2, 3).sum(0))'`,
    )
    .action(async (args: string[], flags: GuestFlags & { preinit: boolean; stdlibZip: boolean; keyboardInterrupt: boolean; home?: string; build?: string; threads?: boolean }) => {
      applyCompileMode(flags);
      const build = chooseBuild(flags);
      let dir;
      try {
        dir = pythonBuildDir(build);
      } catch (error) {
        throw new CliError(`--build: ${(error as Error).message}`);
      }
      const layout = pythonLayout(dir);
      if (!existsSync(layout.wasm)) {
        if (build === undefined) throw new CliError(`python.wasm not found at ${layout.wasm}: build it with \`npx pywasi build\` (or set PYWASI_PYTHON_DIR)`, 1);
        throw new CliError(`the ${build} build is not installed (no python.wasm at ${layout.wasm}): ${buildHint(build)}`, 1);
      }
      const warn = (line: string) => process.stderr.write(`${line}\n`);
      let invocation;
      try {
        invocation = pythonInvocation(
          {
            pythonArgs: args,
            cwd: process.cwd(),
            dirs: flags.dir,
            env: guestEnv(flags),
            net: flags.net,
            // The start-up snapshot belongs to python.wasm without a memory limit: --max-memory starts afresh.
            preinit: flags.preinit && flags.maxMemory === undefined,
            ...(flags.caFile !== undefined ? { caFile: flags.caFile } : {}),
            ...(flags.home !== undefined ? { home: flags.home } : {}),
            stdlib: flags.stdlibZip ? 'zip' : 'files',
            warn: (line) => warn(`pywasi python: ${line}`),
          },
          layout,
        );
      } catch (e) {
        if (e instanceof PythonRequestError) throw new CliError(e.message, 1);
        throw e;
      }
      let wasm = invocation.wasm;
      let options: RunOptions = {
        env: invocation.env,
        envInherit: false,
        dirs: invocation.dirs,
        net: invocation.net,
        argv0: invocation.argv[0]!,
        user: invocation.user,
        zoneinfo: invocation.zoneinfo,
        // Python runs in a worker, so this thread is free to hear SIGINT and turn it into a
        // KeyboardInterrupt in the guest (the guest on this thread would block it).
        ...(flags.keyboardInterrupt ? { interruptible: true, ...(context.guestThread ? { guestThread: context.guestThread } : {}) } : { thread: 'caller' as const }),
        onNetRefused: onceNetRefused(flags.net),
        ...(invocation.caFile !== undefined ? { caFile: invocation.caFile } : {}),
        ...runLimits(flags),
      };
      if (invocation.snapshot && (await ensureSnapshot(invocation.snapshot, (line) => warn(`pywasi python: ${line}`)))) {
        wasm = invocation.snapshot.module;
        options = { ...options, snapshot: { restore: invocation.snapshot.image } };
      }
      const readline = pythonReadline(process.env, isatty(0) && isatty(1), process.cwd());
      if (readline) options = { ...options, readline };
      const recording = recordingFor(flags.record, flags.trace);
      if (recording) options = { ...options, record: recording.options };
      // V8 validates each function of our python.wasm when it first compiles it, not all ~9000
      // before the start: a third of compile time at start-up. An invalid one (the build validates
      // python.wasm) would fail where it is first called, as a trap.
      setFlagsFromString('--wasm-lazy-validation');
      process.exitCode = await runCommand(wasm, invocation.argv.slice(1), options, {
        label: 'pywasi python',
        error: (line) => process.stderr.write(`${line}\n`),
      });
      recording?.done();
    });
}

/**
 * The build --build, --threads and --no-threads name; undefined for the default one (defaultBuild,
 * or $PYWASI_PYTHON_DIR). A run that cannot have threads runs the build without them when none is
 * named, and refuses the threads build named, or any build whose module spawns threads (a
 * `pywasi build --with … --threads` build, $PYWASI_PYTHON_DIR's): the module decides, not the name.
 */
function chooseBuild(flags: { build?: string; threads?: boolean; record?: unknown; trace?: unknown; keyboardInterrupt: boolean }): string | undefined {
  const byThreads = flags.threads === undefined ? undefined : flags.threads ? THREADS_BUILD : NO_THREADS_BUILD;
  // The old name of the build without threads means it, here as everywhere (pythonBuildDir).
  const named = flags.build === OLD_NO_THREADS_NAME ? NO_THREADS_BUILD : flags.build;
  if (byThreads && named !== undefined && named !== byThreads) throw new CliError(`--${flags.threads ? '' : 'no-'}threads runs the ${byThreads} build: it cannot be combined with --build ${flags.build}`);
  const build = byThreads ?? named;
  // The options that keep python to one thread, with why.
  const oneThread: [string, string] | undefined =
    flags.record !== undefined ? ['--record', "a run log holds one thread's calls"]
    : flags.trace !== undefined ? ['--trace', "a run log holds one thread's calls"]
    : !flags.keyboardInterrupt ? ['--no-keyboard-interrupt', "python on pywasi's own thread cannot start threads in workers"]
    : undefined;
  if (!oneThread) return build;
  if (build === THREADS_BUILD) throw new CliError(`${oneThread[0]} cannot run the threads build (${oneThread[1]}): drop --threads, or give --no-threads`);
  const chosen = build === undefined && !process.env['PYWASI_PYTHON_DIR'] ? NO_THREADS_BUILD : build;
  if (moduleSpawnsThreads(chosen)) {
    const which = chosen === undefined ? `build in ${process.env['PYWASI_PYTHON_DIR']}` : `${chosen} build`;
    throw new CliError(`${oneThread[0]} cannot run the ${which}: its python.wasm has threads (${oneThread[1]}); give --no-threads, or --build with a build without threads`);
  }
  return chosen;
}

/** Whether the build's python.wasm (when it is there) spawns threads. */
function moduleSpawnsThreads(build: string | undefined): boolean {
  let wasm: string;
  try {
    wasm = pythonLayout(pythonBuildDir(build)).wasm;
  } catch {
    return false; // a bad name: reported where the build is looked up
  }
  try {
    return existsSync(wasm) && spawnsThreads(wasm);
  } catch {
    return false; // not a module: the run says so
  }
}

/** --home: an existing directory, absolute from here on. */
function parseHome(value: string): string {
  if (!existsSync(value) || !statSync(value).isDirectory()) throw new InvalidArgumentError(`no such directory: ${value}`);
  return path.resolve(value);
}

/** The host's line on stderr, the first time the network policy refuses something. */
function onceNetRefused(net: NetPolicy): (what: string) => void {
  let said = false;
  return (what) => {
    if (said) return;
    said = true;
    const allow = net === 'none' ? '--net loopback or --net all' : '--net all or --net allow:HOST[:PORT]';
    process.stderr.write(`pywasi: the network policy (--net ${describeNetPolicy(net)}) refused the guest's ${what}; ${allow} allows it\n`);
  };
}

/**
 * Where pywasi's own options end among `pywasi python`'s arguments: at the first argument that is
 * not one of them, as python3 itself stops at -c, -m or a script. Returns the arguments with a
 * `--` put there, so commander gives the rest to python untouched (its --help included).
 */
export function separatePythonArguments(python: Command, args: readonly string[]): string[] {
  const ours = new Map<string, boolean>(); // flag → takes a value
  for (const o of python.options) {
    // An optional value (--record[=FILE]) is taken only in the --opt=value form: the argument after
    // it is python's, as `pywasi python --record script.py` means.
    const takesValue = o.required;
    if (o.long) ours.set(o.long, takesValue);
    if (o.short) ours.set(o.short, takesValue);
  }
  ours.set('-h', false).set('--help', false);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return [...args];
    const name = arg.startsWith('--') ? arg.split('=')[0]! : arg;
    const takesValue = ours.get(name);
    if (takesValue === undefined) return [...args.slice(0, i), '--', ...args.slice(i)];
    if (takesValue && !arg.includes('=')) i++;
  }
  return [...args];
}
