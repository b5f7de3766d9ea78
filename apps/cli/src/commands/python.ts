// `pywasi python`: the built python.wasm with its standard library, the host's current directory
// and ./deps visible, so scripts behave as they do with a native python.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { isatty } from 'node:tty';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import type { MountSpec, ReadlineOptions } from '@pywasi/wasi-host';
import { addGuestOptions, guestEnv, type GuestFlags } from '../guest-options.ts';
import { packageDir, pythonDistDir } from '../workspace.ts';
import { ensureSnapshot, freshStartReason, snapshotPlan, type SnapshotPlan } from './python-snapshot.ts';
import { runCommand, type RunOptions } from './run.ts';

/** Where the guest finds things: PYTHONHOME is /usr/local, as in CPython's own WASI layout. */
const GUEST_PREFIX = '/usr/local';
const GUEST_SITE = '/pywasi-site';
const siteDir = path.join(packageDir, 'guest-site');

export interface PythonLayout {
  wasm: string;
  /** python.wasm prepared for start-up snapshots (see python-snapshot.ts). */
  resumableWasm: string;
  /** Host directory seen as /usr/local/lib: python311.zip and anything beside it. */
  libDir: string;
}

export function pythonLayout(distDir = pythonDistDir()): PythonLayout {
  return { wasm: path.join(distDir, 'python.wasm'), resumableWasm: path.join(distDir, 'python-resumable.wasm'), libDir: path.join(distDir, 'usr', 'local', 'lib') };
}

/** Index of the script file among python's own arguments, if any (none for -c, -m, the REPL). */
export function scriptIndex(pythonArgs: readonly string[]): number | undefined {
  for (let i = 0; i < pythonArgs.length; i++) {
    const arg = pythonArgs[i]!;
    if (arg === '-c' || arg === '-m' || arg === '-') return undefined;
    if (arg === '-W' || arg === '-X') i++; // these take a value
    else if (arg === '--') return i + 1 < pythonArgs.length ? i + 1 : undefined;
    else if (!arg.startsWith('-')) return i;
  }
  return undefined;
}

export interface PythonInvocation {
  /** python.wasm, run afresh unless `snapshot` serves the run. */
  wasm: string;
  /** Start from this installation's snapshot of an initialised CPython (made at first use). */
  snapshot?: SnapshotPlan;
  args: string[];
  options: RunOptions;
}

/** The guest's view: which directories it sees, with which environment and arguments it starts. */
export function pythonInvocation(
  flags: GuestFlags & { preinit?: boolean },
  pythonArgs: readonly string[],
  cwd: string,
  layout: PythonLayout,
): PythonInvocation {
  // The host cwd appears at the same path, so absolute paths mean the same inside; relative ones
  // do once sitecustomize has entered it. The standard library and our site directory are
  // read-only; the user's --dir mounts come last and win.
  const dirs: MountSpec[] = [
    { guest: cwd, host: cwd },
    { guest: GUEST_PREFIX + '/lib', host: layout.libDir, readOnly: true },
    { guest: GUEST_SITE, host: siteDir, readOnly: true },
  ];
  const args = [...pythonArgs];
  const script = scriptIndex(args);
  if (script !== undefined) {
    // CPython makes the script path absolute against the cwd before site runs, and every WASI
    // process starts in "/": hand it the absolute path, and make its directory visible.
    const absolute = path.resolve(cwd, args[script]!);
    args[script] = absolute;
    if (path.dirname(absolute) !== cwd) dirs.push({ guest: path.dirname(absolute), host: path.dirname(absolute) });
  }
  dirs.push(...flags.dir);
  const deps = path.join(cwd, 'deps');
  const userPath = flags.env['PYTHONPATH'];
  const pythonPath = [GUEST_SITE, ...(existsSync(deps) ? [deps] : []), ...(userPath ? [userPath] : [])].join(':');
  const options: RunOptions = {
    env: { PYTHONHOME: GUEST_PREFIX, ...flags.env, PYTHONPATH: pythonPath, PYWASI_CWD: cwd },
    envInherit: flags.envInherit === true,
    dirs,
    net: flags.net,
    ...(flags.caFile !== undefined ? { caFile: flags.caFile } : {}),
  };
  const snapshot =
    flags.preinit !== false && freshStartReason(pythonArgs, guestEnv(options), GUEST_PREFIX) === undefined
      ? snapshotPlan(layout, GUEST_PREFIX)
      : undefined;
  return { wasm: layout.wasm, args, options, ...(snapshot ? { snapshot } : {}) };
}

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
python.wasm comes from \`npx pywasi build\` (dist/python/, or $PYWASI_PYTHON_DIR). PYTHONHOME is
${GUEST_PREFIX}; ./deps (see \`pywasi pip install\`) is on PYTHONPATH when it exists. The guest's exit
code is pywasi's. Options for python that pywasi also knows (-h) go after --.

Runs start from a snapshot of an initialised CPython, made once per installation at first use
(in ${'$'}PYWASI_CACHE_DIR or ~/.cache/pywasi/snapshots). It applies the run's arguments, -u/-i/-q/-B,
environment, sys.path and cwd. What is shared: all runs of one installation share the hash seed
drawn when its snapshot was made (installations never share one); use --no-preinit (or
PYTHONHASHSEED) for a seed per run. Other python options, and PYTHON* variables besides
PYTHONPATH, start python.wasm afresh by themselves.

On a terminal the REPL and input() edit lines as with GNU readline: history on Up/Down (kept in
${'$'}PYWASI_PYTHON_HISTORY, default ${'$'}XDG_STATE_HOME/pywasi/python_history or
~/.local/state/pywasi/python_history; an empty value keeps none) and Tab completion.

Examples:
  $ pywasi python
  $ pywasi python -c 'import sys; print(sys.version)'
  $ pywasi python script.py arg1 arg2
  $ pywasi python -e PYTHONTRACEMALLOC=1 --net all -m http.server 8000
  $ pywasi python --dir ./data:/data -- -h`,
    )
    .action(async (args: string[], flags: GuestFlags & { preinit: boolean }) => {
      const layout = pythonLayout();
      if (!existsSync(layout.wasm)) {
        throw new CliError(`python.wasm not found at ${layout.wasm}: build it with \`npx pywasi build\` (or set PYWASI_PYTHON_DIR)`, 1);
      }
      const invocation = pythonInvocation(flags, args, process.cwd(), layout);
      const warn = (line: string) => process.stderr.write(`${line}\n`);
      let wasm = invocation.wasm;
      let options: RunOptions = invocation.options;
      if (invocation.snapshot && (await ensureSnapshot(invocation.snapshot, warn))) {
        wasm = invocation.snapshot.resumable;
        options = { ...options, snapshot: { restore: invocation.snapshot.image } };
      }
      const readline = pythonReadline(process.env, isatty(0) && isatty(1), process.cwd());
      if (readline) options = { ...options, readline };
      process.exitCode = await runCommand(wasm, invocation.args, options, {
        label: 'pywasi python',
        error: (line) => process.stderr.write(`${line}\n`),
      });
    });
}
