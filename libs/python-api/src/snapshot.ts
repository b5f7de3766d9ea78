// Start-up from a snapshot of an initialised CPython, made on this installation at first use.
//
// `nx build python` makes python-resumable.wasm: python.wasm with its mutable globals exported and
// CPython's init export `pywasi_preinit` kept (tools' wasm-resumable executor). The first run on a
// machine calls that export once and saves the initialised memory in the cache, with the module
// later runs restore it into: python-resumable.wasm without its data segments, which the saved
// memory already holds. Every later run restores it instead of initialising CPython again. The snapshot fixes what
// CPython fixes while initialising: the hash seed is drawn then, from this machine's random
// source, so installations never share one (a seed shipped inside a package would be public), and
// all runs of one installation do. What the snapshot cannot apply (-I, -X, PYTHON* start-up
// variables, PYTHONHASHSEED) starts python.wasm afresh instead.
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { runWasi, snapshotKey, writeModuleWithoutData } from '@pywasi/host';
import { crcName, fileStamp } from './cache-names.ts';
import { STDLIB_ZIP } from './stdlib-files.ts';

/** Interpreter flags the snapshot applies at start; any other option means a fresh start. */
const APPLIED_FLAGS = /^-[uiqB]+$/;

/** Why this run needs a fresh python.wasm, or undefined when the snapshot can serve it. */
export function freshStartReason(pythonArgs: readonly string[], guestEnv: Record<string, string>, pythonHome: string): string | undefined {
  for (const name of Object.keys(guestEnv)) {
    if (name === 'PYTHONPATH') continue;
    if (name === 'PYTHONHOME' && guestEnv[name] === pythonHome) continue;
    if (name.startsWith('PYTHON')) return `${name} is set`;
    // The time module, imported when the snapshot was made, read its time.tzname and
    // time.timezone then, and WASI has no tzset() to read them again.
    if (name === 'TZ') return 'TZ is set';
  }
  for (const arg of pythonArgs) {
    if (arg === '--' || arg === '-' || !arg.startsWith('-') || arg.startsWith('-c') || arg.startsWith('-m')) return undefined;
    if (!APPLIED_FLAGS.test(arg)) return `python option ${arg}`;
  }
  return undefined;
}

/** pywasi's cache: $PYWASI_CACHE_DIR, else $XDG_CACHE_HOME/pywasi, else ~/.cache/pywasi. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['PYWASI_CACHE_DIR'] || path.join(env['XDG_CACHE_HOME'] || path.join(homedir(), '.cache'), 'pywasi');
}

export interface SnapshotPlan {
  /** The module the snapshot is made from. */
  resumable: string;
  /** This installation's snapshot file. */
  image: string;
  /** The module runs restore the snapshot into: `resumable` without its data segments (the image
   * holds the whole memory; a threads build keeps its TLS segment, which new threads copy), made
   * beside the image. 3.7 MiB less for every run to read, compile and keep while it runs. */
  module: string;
  /** What the snapshot must have been made from; another key means a stale snapshot. */
  key: string;
  /** How the snapshot is made: the guest's arguments, environment and directories while CPython
   * initialises (the same standard library the runs see). */
  init: { args: string[]; env: Record<string, string>; dirs: { guest: string; host: string; readOnly: boolean }[] };
}

/** The snapshot plan for a python.wasm build whose runs see `libMount` as /usr/local/lib, or
 * undefined when it has no usable resumable module (missing, or older than python.wasm). */
export function snapshotPlan(layout: { wasm: string; resumableWasm: string; libDir: string }, pythonHome: string, env = process.env, libMount = layout.libDir): SnapshotPlan | undefined {
  let key: string;
  try {
    if (statSync(layout.resumableWasm).mtimeMs < statSync(layout.wasm).mtimeMs) return undefined;
    const zip = path.join(layout.libDir, STDLIB_ZIP);
    // The snapshot holds modules imported from what the guest saw as /usr/local/lib (the zip, or
    // one unpacked copy of it: its directory name changes with the zip).
    key = JSON.stringify({ module: [layout.resumableWasm, fileStamp(layout.resumableWasm)], stdlib: [zip, fileStamp(zip)], lib: libMount, memory: 'whole' });
  } catch {
    return undefined;
  }
  // One snapshot per python build directory (a workspace, an installed package); the key above
  // decides whether a snapshot is this one's.
  // Runs that see the zip itself (--stdlib-zip) have a snapshot of their own beside the others'.
  const layoutTag = libMount === layout.libDir ? '-zip' : '';
  const name = path.join(cacheDir(env), 'snapshots', `python-${crcName(layout.resumableWasm)}${layoutTag}`);
  return {
    resumable: layout.resumableWasm,
    image: `${name}.snapshot`,
    module: `${name}.wasm`,
    key,
    init: { args: ['python'], env: { PYTHONHOME: pythonHome }, dirs: [{ guest: `${pythonHome}/lib`, host: libMount, readOnly: true }] },
  };
}

/** Makes this installation's snapshot unless a current one exists. Returns false (with a line on
 * `warn`) when it cannot be made: the run then starts python.wasm afresh. */
export async function ensureSnapshot(plan: SnapshotPlan, warn: (line: string) => void): Promise<boolean> {
  if (snapshotKey(plan.image) === plan.key && existsSync(plan.module)) return true;
  try {
    // The module first: an image whose key matches vouches for the module beside it.
    writeModuleWithoutData(plan.resumable, plan.module);
    const code = await runWasi({
      module: plan.resumable,
      args: plan.init.args,
      env: plan.init.env,
      dirs: plan.init.dirs,
      net: 'none',
      stdin: 0,
      snapshot: { capture: { initExport: 'pywasi_preinit', image: plan.image, key: plan.key, memory: 'whole' } },
    });
    if (code === 0 && snapshotKey(plan.image) === plan.key) return true;
    warn(`could not make the start-up snapshot (init exited with ${code}); starting python.wasm afresh`);
  } catch (e) {
    warn(`could not make the start-up snapshot (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); starting python.wasm afresh`);
  }
  return false;
}
