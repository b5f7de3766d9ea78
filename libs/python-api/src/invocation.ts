// The guest's view of one python run: which host directories it sees where, its environment, its
// arguments, and whether it can start from this installation's snapshot.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { MountSpec, NetPolicy } from '@pywasi/host';
import { GUEST_PREFIX, type PythonLayout } from './layout.ts';
import { freshStartReason, snapshotPlan, type SnapshotPlan } from './snapshot.ts';

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
}

export interface PythonInvocation {
  /** python.wasm, run afresh unless `snapshot` serves the run. */
  wasm: string;
  /** Start from this installation's snapshot of an initialised CPython (made at first use). */
  snapshot?: SnapshotPlan;
  args: string[];
  env: Record<string, string>;
  dirs: MountSpec[];
  net: NetPolicy;
  caFile?: string;
}

export function pythonInvocation(request: PythonRequest, layout: PythonLayout): PythonInvocation {
  // The host cwd appears at the same path, so absolute paths mean the same inside; relative ones
  // do too, as python.wasm enters the directory PYWASI_CWD names before anything runs (CPython
  // patch 0003). The standard library is read-only; the user's mounts come last and win.
  const { cwd } = request;
  const dirs: MountSpec[] = [...(cwd !== null ? [{ guest: cwd, host: cwd }] : []), { guest: GUEST_PREFIX + '/lib', host: layout.libDir, readOnly: true }];
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
  const deps = cwd !== null ? path.join(cwd, 'deps') : null;
  const userPath = request.env['PYTHONPATH'];
  const pythonPath = [...(deps && existsSync(deps) ? [deps] : []), ...(userPath ? [userPath] : [])].join(':');
  const env = { PYTHONHOME: GUEST_PREFIX, ...request.env, ...(pythonPath ? { PYTHONPATH: pythonPath } : {}), ...(cwd !== null ? { PYWASI_CWD: cwd } : {}) };
  const snapshot = request.preinit !== false && freshStartReason(request.pythonArgs, env, GUEST_PREFIX) === undefined ? snapshotPlan(layout, GUEST_PREFIX) : undefined;
  return { wasm: layout.wasm, args, env, dirs, net: request.net, ...(request.caFile !== undefined ? { caFile: request.caFile } : {}), ...(snapshot ? { snapshot } : {}) };
}
