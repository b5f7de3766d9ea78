// The guest's view of one python run: which host directories it sees where, its environment, its
// arguments, and whether it can start from this installation's snapshot.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { GuestUser, MountSpec, NetPolicy } from '@pywasi/host';
import { executableDir } from './executable.ts';
import { GUEST_PREFIX, type PythonLayout } from './layout.ts';
import { cacheDir, freshStartReason, snapshotPlan, type SnapshotPlan } from './snapshot.ts';
import { stdlibFiles, StdlibError, type StdlibLayout } from './stdlib-files.ts';

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

/** The module python's own arguments run with -m, if any. */
export function moduleOf(pythonArgs: readonly string[]): string | undefined {
  for (let i = 0; i < pythonArgs.length; i++) {
    const arg = pythonArgs[i]!;
    if (arg === '--' || arg === '-' || !arg.startsWith('-') || arg.startsWith('--')) return undefined;
    if (arg === '-W' || arg === '-X') {
      i++;
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j];
      if (letter === 'c') return undefined;
      if (letter === 'm') return j + 1 < arg.length ? arg.slice(j + 1) : pythonArgs[i + 1];
      if (letter === 'W' || letter === 'X') break;
    }
  }
  return undefined;
}

/** argv[0] of python.wasm, and so sys.executable: where a native python3 would be. */
export const PYTHON_PROGRAM = `${GUEST_PREFIX}/bin/python3`;

/** Modules that manage installations: they cannot work inside python.wasm, `pywasi pip` does. */
const HOST_SIDE_MODULES: Record<string, string> = {
  pip: 'packages are installed by the host: `pywasi pip install PACKAGE` (into ./deps, which pywasi python finds)',
  ensurepip: 'python.wasm has no pip of its own: `pywasi pip install PACKAGE` installs into ./deps',
  venv: 'python.wasm has no virtual environments: `pywasi pip install --target DIR PACKAGE` keeps a project\'s packages in DIR (./deps beside the script or in the current directory is found by itself)',
};

/** A request python.wasm cannot serve, said in one line. */
export class PythonRequestError extends Error {
  override readonly name = 'PythonRequestError';
}

/** Whether python's own arguments ask for the REPL: -i, or nothing to run (no -c, -m or script).
 * It then reads from stdin, interactively when that is a terminal. */
export function asksForRepl(pythonArgs: readonly string[]): boolean {
  for (let i = 0; i < pythonArgs.length; i++) {
    const arg = pythonArgs[i]!;
    if (arg === '-') return false; // the script comes from stdin
    if (arg === '--') return i + 1 >= pythonArgs.length;
    if (!arg.startsWith('-') || arg.startsWith('--')) return false; // a script; --help, --version
    if (arg === '-W' || arg === '-X') {
      i++;
      continue;
    }
    // A cluster of one-letter options (-Bi); -c and -m end it, taking the rest as their value.
    for (const letter of arg.slice(1)) {
      if (letter === 'i') return true;
      if (letter === 'c' || letter === 'm') return false;
      if (letter === 'W' || letter === 'X') break;
    }
  }
  return true;
}

export interface PythonRequest {
  /** python's own arguments, as for a native python3. */
  pythonArgs: readonly string[];
  /** A host directory the guest sees at the same path and starts in (relative paths resolve
   * there, and ./deps joins PYTHONPATH), or null: the guest starts in "/". */
  cwd: string | null;
  /** More host directories; they come last and win. */
  dirs: readonly MountSpec[];
  /** The guest's environment (PYTHONPATH is extended, PYTHONHOME set unless given). */
  env: Readonly<Record<string, string>>;
  net: NetPolicy;
  caFile?: string;
  /** false: start python.wasm afresh even when the snapshot could serve the run. */
  preinit?: boolean;
  /** A host directory to be the guest's HOME (/home/user), kept across runs; default: a fresh
   * one per run (a kept HOME lets one run plant code, user site-packages, that later runs run). */
  home?: string;
  /** The standard library as files (default: unpacked once into pywasi's cache) or as the build's
   * zip (stdlib-files.ts). */
  stdlib?: StdlibLayout;
  /** Where a line goes that says the run goes on otherwise than asked (the standard library stays
   * in its zip); default: a PywasiWarning. */
  warn?: (line: string) => void;
}

export interface PythonInvocation {
  /** python.wasm, run afresh unless `snapshot` serves the run. */
  wasm: string;
  /** Start from this installation's snapshot of an initialised CPython (made at first use). */
  snapshot?: SnapshotPlan;
  /** argv, argv[0] (PYTHON_PROGRAM) included. */
  argv: string[];
  /** The guest's user (runWasi's `user`): HOME, /etc/passwd. */
  user: GuestUser;
  /** Serve the host's zoneinfo, for TZ (runWasi's `zoneinfo`). */
  zoneinfo: true;
  env: Record<string, string>;
  dirs: MountSpec[];
  net: NetPolicy;
  caFile?: string;
}

/** The one place a Python run is put together, for the CLI and runPython alike. Throws a
 * PythonRequestError for what python.wasm cannot do (`-m pip`). */
export function pythonInvocation(request: PythonRequest, layout: PythonLayout): PythonInvocation {
  const module = moduleOf(request.pythonArgs);
  const hostSide = module !== undefined ? HOST_SIDE_MODULES[module] : undefined;
  if (hostSide) throw new PythonRequestError(`python -m ${module} does not run inside python.wasm: ${hostSide}`);
  // The host cwd appears at the same path, so absolute paths mean the same inside; relative ones
  // do too, as python.wasm enters the directory PYWASI_CWD names before anything runs (CPython
  // patch 0003). The standard library is read-only; the user's mounts come last and win.
  const { cwd } = request;
  const lib = stdlibMount(layout.libDir, request.stdlib ?? 'files', request.warn ?? ((line) => process.emitWarning(line, 'PywasiWarning')));
  const dirs: MountSpec[] = [...(cwd !== null ? [{ guest: cwd, host: cwd }] : []), { guest: GUEST_PREFIX + '/lib', host: lib, readOnly: true }];
  // sys.executable: python.wasm itself, as a native python's is its binary (executable.ts).
  const bin = executableDir(layout.wasm, path.basename(PYTHON_PROGRAM));
  if (bin !== undefined) dirs.push({ guest: path.dirname(PYTHON_PROGRAM), host: bin, readOnly: true });
  const args = [...request.pythonArgs];
  const script = scriptIndex(args);
  if (script !== undefined) {
    // The script's directory must be visible: mounted at the same path, named by its absolute path
    // (also when no cwd is mapped, where the guest's cwd is "/").
    const absolute = path.resolve(cwd ?? process.cwd(), args[script]!);
    args[script] = absolute;
    if (path.dirname(absolute) !== cwd) dirs.push({ guest: path.dirname(absolute), host: path.dirname(absolute), readOnly: cwd === null });
  }
  dirs.push(...request.dirs);
  // ./deps (what `pywasi pip install` fills) beside the script, then in the current directory.
  const depsDirs = [...(script !== undefined ? [path.join(path.dirname(args[script]!), 'deps')] : []), ...(cwd !== null ? [path.join(cwd, 'deps')] : [])];
  const deps = [...new Set(depsDirs)].filter((d) => existsSync(d));
  for (const d of deps) if (!isVisible(d, dirs)) dirs.push({ guest: d, host: d, readOnly: cwd === null });
  const userPath = request.env['PYTHONPATH'];
  const pythonPath = [...deps, ...(userPath ? [userPath] : [])].join(':');
  const env = { PYTHONHOME: GUEST_PREFIX, ...request.env, ...(pythonPath ? { PYTHONPATH: pythonPath } : {}), ...(cwd !== null ? { PYWASI_CWD: cwd } : {}) };
  const snapshot = request.preinit !== false && freshStartReason(request.pythonArgs, env, GUEST_PREFIX) === undefined ? snapshotPlan(layout, GUEST_PREFIX, process.env, lib) : undefined;
  return { wasm: layout.wasm, argv: [PYTHON_PROGRAM, ...args], user: request.home !== undefined ? { home: request.home } : {}, zoneinfo: true, env, dirs, net: request.net, ...(request.caFile !== undefined ? { caFile: request.caFile } : {}), ...(snapshot ? { snapshot } : {}) };
}

/** The host directory the guest sees as /usr/local/lib. Files that cannot be unpacked (a cache
 * that cannot be written) leave the run on the zip, with a warning that says why. */
function stdlibMount(libDir: string, layout: StdlibLayout, warn: (line: string) => void): string {
  if (layout === 'zip') return libDir;
  try {
    return stdlibFiles(libDir, cacheDir());
  } catch (error) {
    if (!(error instanceof StdlibError)) throw error;
    warn(`${error.message}; the standard library stays in its zip for this run`);
    return libDir;
  }
}

/** Whether a host directory is visible at its own path through one of `dirs`. */
function isVisible(dir: string, dirs: readonly MountSpec[]): boolean {
  return dirs.some((m) => m.guest === m.host && (dir === m.host || dir.startsWith(m.host.endsWith('/') ? m.host : m.host + '/')));
}
