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

/** Refuses what cannot be snapshotted: an imported memory that is not a wasi-threads one, no init
 * export, passive data segments outside a wasi-threads module.
 *
 * A wasi-threads module imports its memory, shared, and exports it: the host creates it, and
 * wasm-ld's start function (`__wasm_init_memory`) copies the passive data segments in once,
 * guarded by a flag in that memory, which a snapshot holds set. So its memory and its globals are
 * still its whole state. */
function checkSnapshottable(mod: binaryen.Module, initExport: string): void {
  if (!mod.hasMemory()) throw new BuildError('the module has no memory to pre-initialise');
  const exports = exportsOf(mod);
  const memoryExport = exports.find((e) => e.kind === binaryen.ExternalMemory);
  if (!memoryExport) throw new BuildError('the module does not export its memory (WASI needs it exported)');
  const info = mod.getMemoryInfo(memoryExport.value);
  const threads = Boolean(info.module) && info.shared;
  if (info.module && !threads) throw new BuildError('the module imports a memory that is not shared: only a wasi-threads module (shared memory) may import it');
  if (info.shared && !threads) throw new BuildError('the module has a shared memory of its own: a wasi-threads module imports it (wasm-ld --import-memory)');
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
  for (let i = 0; i < data.getNumDataSegments() && !threads; i++) {
    if (data.getDataSegmentInfo(data.getDataSegmentByIndex(i)).passive) {
      throw new BuildError('the module has passive data segments (bulk-memory initialisation) and no shared memory: not supported');
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
