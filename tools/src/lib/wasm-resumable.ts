// A WASI module made resumable: the host snapshots it at run time (libs/wasi-host/src/snapshot/)
// rather than the build pre-initialising it, so every installation gets a state, and a hash seed,
// of its own. What the host needs of the module is to read and set every mutable global from
// outside; the module is checked to be one whose state a memory and those globals hold.
import binaryen from 'binaryen';
import { BuildError } from './build-error.ts';

/** The mutable globals' export names: from the build-time pre-initialisation this code began as,
 * kept so that the module built does not change. */
const GLOBAL_EXPORT_PREFIX = '__preinit_global_';

function readModule(bytes: Uint8Array, what: string): binaryen.Module {
  try {
    return binaryen.readBinary(bytes);
  } catch (e) {
    throw new BuildError(`${what} is not a valid WebAssembly module (${e instanceof Error ? e.message : String(e)})`);
  }
}

function exportsOf(mod: binaryen.Module): binaryen.ExportInfo[] {
  const all: binaryen.ExportInfo[] = [];
  for (let i = 0; i < mod.getNumExports(); i++) all.push(binaryen.getExportInfo(mod.getExportByIndex(i)));
  return all;
}

/** Refuses what cannot be snapshotted: a memory not its own, shared memory, no init export,
 * passive data segments. */
function checkSnapshottable(mod: binaryen.Module, initExport: string): void {
  if (!mod.hasMemory()) throw new BuildError('the module has no memory to pre-initialise');
  const exports = exportsOf(mod);
  const memoryExport = exports.find((e) => e.kind === binaryen.ExternalMemory);
  if (!memoryExport) throw new BuildError('the module does not export its memory (WASI needs it exported)');
  const info = mod.getMemoryInfo(memoryExport.value);
  if (info.module) throw new BuildError('the module imports its memory: there is nothing of its own to pre-initialise');
  if (info.shared) throw new BuildError('the module has shared memory (threads): pre-initialisation needs a single-threaded module');
  const init = exports.find((e) => e.name === initExport);
  if (!init || init.kind !== binaryen.ExternalFunction) {
    throw new BuildError(`the module exports no function named "${initExport}" (exports: ${exports.map((e) => e.name).join(', ')})`);
  }
  // binaryen.js's data-segment methods, which its type declarations name differently.
  const data = mod as unknown as {
    getNumDataSegments(): number;
    getDataSegmentByIndex(index: number): number;
    getDataSegmentInfo(segment: number): { passive: boolean };
  };
  for (let i = 0; i < data.getNumDataSegments(); i++) {
    if (data.getDataSegmentInfo(data.getDataSegmentByIndex(i)).passive) {
      throw new BuildError('the module has passive data segments (bulk-memory initialisation): not supported');
    }
  }
}

/** Mutable globals defined by the module (internal names): with memory, what a snapshot saves. */
function mutableGlobals(mod: binaryen.Module): string[] {
  const names: string[] = [];
  for (let i = 0; i < mod.getNumGlobals(); i++) {
    const info = binaryen.getGlobalInfo(mod.getGlobalByIndex(i));
    if (info.module || !info.mutable) continue;
    if (![binaryen.i32, binaryen.i64, binaryen.f32, binaryen.f64].includes(info.type)) {
      throw new BuildError(`global ${info.name} has a type pre-initialisation cannot carry (only i32, i64, f32, f64)`);
    }
    names.push(info.name);
  }
  return names;
}

/**
 * A module a host can snapshot at run time instead of at build time (so that, for instance, every
 * installation gets its own hash seed): its mutable globals are exported (as
 * `__preinit_global_<n>`, so they can be read and set from outside), `_start` and the init export
 * stay. The host instantiates it, calls the init export, saves memory and globals, and later
 * restores them into a fresh instance before calling `_start` (libs/wasi-host/src/snapshot/).
 */
export function makeResumable(bytes: Uint8Array, initExport: string): { bytes: Uint8Array; globals: number } {
  const mod = readModule(bytes, 'the module');
  try {
    checkSnapshottable(mod, initExport);
    const globals = mutableGlobals(mod);
    globals.forEach((name, i) => mod.addGlobalExport(name, `${GLOBAL_EXPORT_PREFIX}${i}`));
    if (!exportsOf(mod).some((e) => e.name === '_start')) throw new BuildError('the module exports no _start (a run-time snapshot resumes through it)');
    return { bytes: mod.emitBinary(), globals: globals.length };
  } finally {
    mod.dispose();
  }
}
